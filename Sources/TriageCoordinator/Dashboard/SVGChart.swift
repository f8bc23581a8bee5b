import Foundation

/// Small SVG chart builders for the dashboard. Every data point is an element with
/// `data-series` and `data-value` attributes (plus a label attribute), so a test can read the
/// data back from the rendered DOM.
enum SVGChart {
    static let width = 440.0
    static let height = 230.0

    /// Escapes text for HTML content and attribute values.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func num(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

    /// A value for a `data-value` attribute: plain decimal, no exponent.
    static func attr(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.9f", v)
    }

    /// A "nice" upper bound for an axis of four gridlines: four times a step of 1, 2 or 5 times
    /// a power of ten, at least `max`.
    static func niceMax(_ max: Double) -> Double {
        guard max > 0 else { return 1 }
        let raw = max / 4
        let p = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= raw { return 4 * m * p }
        return 40 * p
    }

    static func empty(_ message: String) -> String {
        """
        <svg viewBox="0 0 \(num(width, 0)) \(num(height, 0))" role="img"><text x="\(num(width / 2, 0))" y="\(num(height / 2, 0))" \
        class="empty" text-anchor="middle">\(esc(message))</text></svg>
        """
    }

    /// Stacked vertical bars: one bar per x position, one segment per series.
    static func stackedBars(series: [(name: String, color: String, values: [Int])], xLabels: (Int) -> String?, pointLabel: String) -> String {
        let count = series.first?.values.count ?? 0
        guard count > 0, series.contains(where: { $0.values.contains { $0 > 0 } }) else { return empty("no requests in this window") }
        let left = 36.0, bottom = 22.0, top = 10.0, right = 6.0
        let plotW = width - left - right, plotH = height - top - bottom
        let totals = (0..<count).map { i in series.reduce(0) { $0 + $1.values[i] } }
        let maxY = niceMax(Double(totals.max() ?? 0))
        let slot = plotW / Double(count)
        var svg = "<svg viewBox=\"0 0 \(num(width, 0)) \(num(height, 0))\" role=\"img\">"
        for t in 0...4 {
            let v = maxY * Double(t) / 4
            let y = top + plotH - plotH * Double(t) / 4
            svg += "<line class=\"grid\" x1=\"\(num(left))\" x2=\"\(num(width - right))\" y1=\"\(num(y))\" y2=\"\(num(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(num(left - 4))\" y=\"\(num(y + 3))\" text-anchor=\"end\">\(num(v, v < 10 && v != v.rounded() ? 1 : 0))</text>"
        }
        for i in 0..<count {
            var y = top + plotH
            for s in series where s.values[i] > 0 {
                let h = plotH * Double(s.values[i]) / maxY
                y -= h
                svg += "<rect data-series=\"\(esc(s.name))\" data-\(pointLabel)=\"\(i)\" data-value=\"\(s.values[i])\" "
                    + "x=\"\(num(left + Double(i) * slot + 0.5))\" y=\"\(num(y))\" width=\"\(num(max(slot - 1, 0.5)))\" height=\"\(num(h))\" fill=\"\(s.color)\">"
                    + "<title>\(esc(s.name)): \(s.values[i])</title></rect>"
            }
            if let label = xLabels(i) {
                svg += "<text class=\"axis\" x=\"\(num(left + Double(i) * slot + slot / 2))\" y=\"\(num(height - 6))\" text-anchor=\"middle\">\(esc(label))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per row, with an optional outline (a limit) behind it.
    struct Row {
        var label: String
        var value: Double
        var valueText: String
        var limit: Double?
        var color: String
        /// The name of the row's attribute (`team`, `reason`, ...).
        var key: String
        var series: String
    }

    static func horizontalBars(_ rows: [Row], emptyMessage: String) -> String {
        guard !rows.isEmpty else { return empty(emptyMessage) }
        let left = 100.0, right = 150.0, top = 8.0
        let rowH = min(34.0, (height - top * 2) / Double(rows.count))
        let barH = rowH * 0.6
        let maxV = niceMax(rows.map { max($0.value, $0.limit ?? 0) }.max() ?? 0)
        let plotW = width - left - right
        var svg = "<svg viewBox=\"0 0 \(num(width, 0)) \(num(height, 0))\" role=\"img\">"
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * rowH + (rowH - barH) / 2
            svg += "<text class=\"label\" x=\"\(num(left - 6))\" y=\"\(num(y + barH * 0.7))\" text-anchor=\"end\">\(esc(r.label))</text>"
            if let limit = r.limit {
                svg += "<rect class=\"limit\" data-series=\"budget\" data-\(r.key)=\"\(esc(r.label))\" data-value=\"\(attr(limit))\" "
                    + "x=\"\(num(left))\" y=\"\(num(y))\" width=\"\(num(plotW * limit / maxV))\" height=\"\(num(barH))\"><title>budget \(esc(r.label))</title></rect>"
            }
            let w = maxV > 0 ? plotW * r.value / maxV : 0
            svg += "<rect data-series=\"\(esc(r.series))\" data-\(r.key)=\"\(esc(r.label))\" data-value=\"\(attr(r.value))\" "
                + "x=\"\(num(left))\" y=\"\(num(y))\" width=\"\(num(max(w, r.value > 0 ? 1 : 0)))\" height=\"\(num(barH))\" fill=\"\(r.color)\">"
                + "<title>\(esc(r.label)): \(esc(r.valueText))</title></rect>"
            svg += "<text class=\"value\" x=\"\(num(left + max(w, r.limit.map { plotW * $0 / maxV } ?? 0) + 6))\" y=\"\(num(y + barH * 0.7))\">\(esc(r.valueText))</text>"
        }
        return svg + "</svg>"
    }

    /// Grouped vertical bars: one group per category, one bar per series within it.
    static func groupedBars(groups: [(name: String, values: [(series: String, value: Double)])], colors: [String: String],
                            unit: String) -> String {
        let all = groups.flatMap { $0.values.map(\.value) }
        guard all.contains(where: { $0 > 0 }) else { return empty("no timings in this window") }
        let left = 44.0, bottom = 36.0, top = 12.0, right = 6.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxY = niceMax(all.max() ?? 0)
        let groupW = plotW / Double(groups.count)
        var svg = "<svg viewBox=\"0 0 \(num(width, 0)) \(num(height, 0))\" role=\"img\">"
        for t in 0...4 {
            let v = maxY * Double(t) / 4
            let y = top + plotH - plotH * Double(t) / 4
            svg += "<line class=\"grid\" x1=\"\(num(left))\" x2=\"\(num(width - right))\" y1=\"\(num(y))\" y2=\"\(num(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(num(left - 4))\" y=\"\(num(y + 3))\" text-anchor=\"end\">\(num(v, v < 10 && v != v.rounded() ? 1 : 0))</text>"
        }
        for (g, group) in groups.enumerated() {
            let barW = (groupW - 16) / Double(max(group.values.count, 1))
            for (b, bar) in group.values.enumerated() {
                let h = plotH * bar.value / maxY
                let x = left + Double(g) * groupW + 8 + Double(b) * barW
                svg += "<rect data-series=\"\(esc(group.name))\" data-percentile=\"\(esc(bar.series))\" data-value=\"\(attr(bar.value))\" "
                    + "x=\"\(num(x))\" y=\"\(num(top + plotH - h))\" width=\"\(num(barW - 2))\" height=\"\(num(h))\" fill=\"\(colors[bar.series] ?? "#888")\">"
                    + "<title>\(esc(group.name)) \(esc(bar.series)): \(num(bar.value)) \(unit)</title></rect>"
                svg += "<text class=\"axis\" x=\"\(num(x + barW / 2 - 1))\" y=\"\(num(top + plotH + 11))\" text-anchor=\"middle\">\(esc(bar.series))</text>"
            }
            svg += "<text class=\"label\" x=\"\(num(left + Double(g) * groupW + groupW / 2))\" y=\"\(num(height - 6))\" text-anchor=\"middle\">\(esc(group.name))</text>"
        }
        return svg + "</svg>"
    }
}
