import Foundation
import TriageCore

/// The dashboard's HTML: one self-contained page (inline CSS and SVG, no script, font or
/// CDN) that reloads itself every 10 seconds. Headline numbers first, then six charts.
enum DashboardPage {
    static let tierColors = ["#2f9e44", "#1971c2", "#9c36b5", "#e8590c", "#0c8599", "#c2255c"]
    static let percentileColors = ["p50": "#74c0fc", "p90": "#1c7ed6", "p99": "#0b3d91"]

    static func color(ofTier tier: String, in tiers: [String]) -> String {
        guard tier != "none", let i = tiers.firstIndex(of: tier) else { return "#adb5bd" }
        return tierColors[i % tierColors.count]
    }

    static func usd(_ m: Money) -> String {
        let v = m.usd
        if v == 0 { return "$0" }
        if abs(v) >= 100 { return String(format: "$%.0f", v) }
        if abs(v) >= 1 { return String(format: "$%.2f", v) }
        if abs(v) >= 0.01 { return String(format: "$%.4f", v) }
        return String(format: "$%.6f", v)
    }

    static func render(_ m: DashboardModel) -> String {
        let esc = SVGChart.esc
        let share = m.cheapestShare.map { String(format: "%.0f%%", $0 * 100) } ?? "–"
        let errorRate = m.requests > 0 ? String(format: "%.1f%%", Double(m.errors) / Double(m.requests) * 100) : "–"
        let savedPct = m.allTopCost.nanoUSD > 0 ? String(format: "%.0f%%", Double(m.savings.nanoUSD) / Double(m.allTopCost.nanoUSD) * 100) : "–"
        let ready = m.workers.filter { !$0.draining }.count
        let inFlight = m.workers.reduce(0) { $0 + $1.inFlight }
        let stamp = ISO8601DateFormatter().string(from: m.generatedAt)

        var tiles: [(String, String, String, String)] = [  // id, label, value, note
            ("requests", "Requests · \(m.windowMinutes) min", "\(m.requests)", "answered or refused by a worker"),
            ("cheapest-share", "Sent to \(m.cheapestTier)", share, m.shadowJudged > 0
                ? "\(m.shadowGoodEnough * 100 / m.shadowJudged)% as good as \(m.topTier) (\(m.shadowJudged) shadow verdicts)" : "the cheapest tier"),
            ("spend", "Spend · \(m.windowMinutes) min", usd(m.spent), "charged to teams"),
            ("savings", "Saved vs all-\(m.topTier)", usd(m.savings), "\(savedPct) of \(usd(m.allTopCost))"),
            ("errors", "Errors", "\(m.errors)", "\(errorRate) of requests"),
            ("workers", "Workers", "\(ready)/\(m.workers.count)", "\(inFlight) requests in flight"),
        ]
        if m.errors > 0 { tiles[4].3 += " ⚠" }

        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="refresh" content="10">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Triage · dashboard</title>
        <style>\(css)</style>
        </head><body>
        <header><h1>Triage</h1><span class="sub">model router · last \(m.windowMinutes) minutes · \(esc(stamp)) · refreshes every 10 s</span></header>
        <section class="tiles">
        """
        for (id, label, value, note) in tiles {
            let warn = id == "errors" && m.errors > 0 ? " warn" : ""
            html += "<div class=\"tile\(warn)\" id=\"tile-\(id)\"><div class=\"label\">\(esc(label))</div><div class=\"value\" data-headline=\"\(id)\">\(esc(value))</div><div class=\"note\">\(esc(note))</div></div>"
        }
        html += "</section><section class=\"charts\">"
        html += card("traffic", "Traffic per tier, per minute", legend(m.tiers.map { ($0, color(ofTier: $0, in: m.tiers)) }), traffic(m))
        html += card("spend", "Spend per team this period, against its budget", "", teams(m))
        html += card("savings", "Savings against sending everything to \(m.topTier)", "", savings(m))
        html += card("climbs", "Climbs and retries by reason (failed attempts)", "", climbs(m))
        html += card("latency", "Latency percentiles (ms)", legend(["p50", "p90", "p99"].map { ($0, percentileColors[$0]!) }), latency(m))
        html += card("workers", "Worker health", "", workers(m))
        html += "</section><footer>Latency is from the request log: total = a worker's time for the request; upstream = time waiting on providers; overhead = the rest (routing, budget checks, backoff waits between retries). Metrics for Prometheus at <code>/metrics</code>.</footer></body></html>\n"
        return html
    }

    private static func card(_ id: String, _ title: String, _ legend: String, _ svg: String) -> String {
        "<div class=\"card\" id=\"chart-\(id)\"><h2>\(SVGChart.esc(title))</h2>\(legend)\(svg)</div>"
    }

    private static func legend(_ items: [(String, String)]) -> String {
        "<div class=\"legend\">" + items.map { "<span><i style=\"background:\($0.1)\"></i>\(SVGChart.esc($0.0))</span>" }.joined() + "</div>"
    }

    private static func traffic(_ m: DashboardModel) -> String {
        let series = m.tiers.map { (name: $0, color: color(ofTier: $0, in: m.tiers), values: m.traffic[$0] ?? []) }
        return SVGChart.stackedBars(series: series, xLabels: { i in
            let ago = m.windowMinutes - i
            return ago % 10 == 0 ? "-\(ago)m" : (i == m.windowMinutes - 1 ? "now" : nil)
        }, pointLabel: "minute")
    }

    private static func teams(_ m: DashboardModel) -> String {
        let rows = m.teams.prefix(6).map { t in
            let over = t.budget.map { t.spent > $0 } ?? false
            let text = usd(t.spent) + (t.budget.map { b in
                " of \(usd(b))" + (b.nanoUSD > 0 ? String(format: " · %.1f%%", Double(t.spent.nanoUSD) / Double(b.nanoUSD) * 100) : "")
            } ?? " (no limit)")
            return SVGChart.Row(label: t.name, value: t.spent.usd, valueText: text, limit: t.budget?.usd,
                                color: over ? "#e03131" : "#1971c2", key: "team", series: "spend")
        }
        return SVGChart.horizontalBars(Array(rows), emptyMessage: "no teams (auth is off)")
    }

    private static func savings(_ m: DashboardModel) -> String {
        guard m.requests > 0 else { return SVGChart.empty("no requests in this window") }
        let rows = [
            SVGChart.Row(label: "actual", value: m.spent.usd, valueText: usd(m.spent), color: "#2f9e44", key: "bar", series: "actual"),
            SVGChart.Row(label: "all on \(m.topTier)", value: m.allTopCost.usd, valueText: usd(m.allTopCost), color: "#868e96",
                         key: "bar", series: "all-top"),
            SVGChart.Row(label: "saved", value: max(m.savings.usd, 0), valueText: usd(m.savings), color: "#f59f00", key: "bar", series: "saved"),
        ]
        return SVGChart.horizontalBars(rows, emptyMessage: "")
    }

    private static func climbs(_ m: DashboardModel) -> String {
        let rows = m.climbs.prefix(6).map {
            SVGChart.Row(label: $0.reason, value: Double($0.count), valueText: "\($0.count)", color: "#e8590c", key: "reason", series: "climbs")
        }
        return SVGChart.horizontalBars(Array(rows), emptyMessage: "no failed attempts: nothing climbed")
    }

    private static func latency(_ m: DashboardModel) -> String {
        SVGChart.groupedBars(groups: m.latency.map { p in
            (name: p.name, values: [("p50", p.p50), ("p90", p.p90), ("p99", p.p99)])
        }, colors: percentileColors, unit: "ms")
    }

    private static func workers(_ m: DashboardModel) -> String {
        guard !m.workers.isEmpty else { return SVGChart.empty("no workers connected") }
        let rows = m.workers.sorted { $0.id < $1.id }.prefix(8).map { w in
            let state = w.draining ? "draining" : (w.silentFor > 2 ? "silent \(Int(w.silentFor)) s" : "ok")
            return SVGChart.Row(label: w.id, value: Double(w.inFlight), valueText: "\(w.inFlight)/\(w.capacity) in flight · \(state)",
                                limit: nil, color: w.draining ? "#f59f00" : "#2f9e44", key: "worker", series: "in-flight")
        }
        var svg = SVGChart.horizontalBars(Array(rows), emptyMessage: "")
        // One marker per worker, value 1 when it takes requests: the chart holds data even when idle.
        let marks = m.workers.sorted { $0.id < $1.id }.prefix(8).enumerated().map { i, w in
            "<circle data-series=\"worker-up\" data-worker=\"\(SVGChart.esc(w.id))\" data-value=\"\(w.draining ? 0 : 1)\" cx=\"12\" "
                + "cy=\"\(SVGChart.num(8 + Double(i) * min(34, (SVGChart.height - 16) / Double(rows.count)) + min(34, (SVGChart.height - 16) / Double(rows.count)) / 2))\" r=\"5\" "
                + "fill=\"\(w.draining ? "#f59f00" : "#2f9e44")\"><title>\(SVGChart.esc(w.id))</title></circle>"
        }.joined()
        svg.insert(contentsOf: marks, at: svg.index(svg.endIndex, offsetBy: -6))
        return svg
    }

    static let css = """
    *{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#212529}
    header{display:flex;align-items:baseline;gap:16px;padding:14px 24px;background:#1b1f24;color:#fff}
    header h1{margin:0;font-size:22px;letter-spacing:.5px}.sub{color:#adb5bd;font-size:13px}
    .tiles{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;padding:16px 24px 0}
    .tile{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
    .tile .label{font-size:12px;color:#868e96;text-transform:uppercase;letter-spacing:.4px}
    .tile .value{font-size:30px;font-weight:600;margin:2px 0}.tile .note{font-size:12px;color:#868e96}
    .tile.warn .value{color:#e03131}
    .charts{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;padding:12px 24px}
    .card{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:0}
    .card h2{font-size:14px;margin:0 0 4px;font-weight:600}.card svg{width:100%;height:auto;display:block}
    .legend{font-size:12px;color:#495057;min-height:18px}.legend span{margin-right:12px}
    .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
    svg text{font-size:11px;fill:#495057}svg .axis{font-size:10px;fill:#868e96}svg .empty{font-size:14px;fill:#adb5bd}
    svg .grid{stroke:#e9ecef;stroke-width:1}svg .limit{fill:#f1f3f5;stroke:#adb5bd;stroke-dasharray:3 2}
    footer{padding:0 24px 16px;color:#868e96;font-size:12px}
    @media (max-width:1100px){.tiles{grid-template-columns:repeat(3,1fr)}.charts{grid-template-columns:1fr 1fr}}
    """
}
