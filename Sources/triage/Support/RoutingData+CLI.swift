import ArgumentParser
import Foundation
import TriageCore

/// Reads routing benchmark files given as `A.jsonl[,B.jsonl]`.
func loadRoutingData(_ list: String) throws -> [RoutingExample] {
    var all: [RoutingExample] = []
    for path in list.split(separator: ",").map(String.init) where !path.isEmpty {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read data file \(path)")
        }
        do {
            all += try RoutingExample.parseJSONL([UInt8](data))
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
    if all.isEmpty { throw ValidationError("no rows in \(list)") }
    return all
}

/// Progress lines: rewritten in place on a terminal, plain lines otherwise.
struct Progress {
    let terminal = isatty(STDOUT_FILENO) != 0

    func update(_ line: String) {
        if terminal {
            print("\r\u{1B}[2K" + line, terminator: "")
            fflush(nil)  // all streams: `stdout` itself is not concurrency-safe to name
        } else {
            print(line)
        }
    }

    func done(_ line: String) {
        if terminal { print("\r\u{1B}[2K" + line) } else { print(line) }
    }
}

/// A progress bar for counted work (rows, queries, epochs) with counts, rate and ETA: redrawn in
/// place on a terminal, a plain line every few seconds otherwise (see ``ProgressMeter``).
final class ProgressBar {
    private var meter: ProgressMeter
    private let output = Progress()
    private var finished = false

    /// Starts a bar.
    /// - Parameters:
    ///   - label: What is counted (`features`, `eval`).
    ///   - total: The count at completion, if known.
    ///   - unit: The unit shown (`rows`, `queries`).
    init(_ label: String, total: Int?, unit: String) {
        meter = ProgressMeter(label: label, total: total, unit: unit, start: Self.now())
    }

    /// Reports `done` units (cheap when no line is due); `detail` is appended to the line.
    func advance(to done: Int, detail: @autoclosure () -> String = "") {
        guard !finished else { return }
        let now = Self.now()
        guard meter.isDue(done: done, now: now, terminal: output.terminal) else { return }
        let extra = detail()
        let line = meter.line(done: done, now: now, barWidth: output.terminal ? 20 : nil) + (extra.isEmpty ? "" : " · " + extra)
        if let total = meter.total, done >= total {
            output.done(line)
            finished = true
        } else {
            output.update(line)
        }
    }

    /// Ends the bar with its final line, unless `advance` already printed it.
    func finish(_ done: Int, detail: String = "") {
        guard !finished else { return }
        finished = true
        output.done(meter.line(done: done, now: Self.now(), barWidth: nil) + (detail.isEmpty ? "" : " · " + detail))
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// Formatting helpers for the metric tables.
func pct(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "n/a" }
    return String(format: "%.1f%%", x * 100)
}

func fixed3(_ x: Double) -> String { String(format: "%.3f", x) }

/// Prints one report: the router's figures beside the random and oracle routers (and the
/// by-category oracle when the rows have several categories).
func printReport(_ r: BenchmarkReport, routerName: String, extra: String = "") {
    print("\(r.source): \(r.rows) rows\(extra); weak quality \(fixed3(r.router.weakQuality)), strong \(fixed3(r.router.strongQuality))")
    let withCost = r.allStrongCost != nil
    var rows: [[String]] = []
    // "by category": the best router that knows each category's mean gain on these rows but nothing
    // within a category; on rows held out by whole categories, a ceiling for routing by subject.
    let curves = [(routerName, r.router), ("random", r.random), ("oracle", r.oracle)] + (r.categoryOracle.map { [("by category", $0)] } ?? [])
    for (name, curve) in curves {
        var row = [name, fixed3(curve.apgr), pct(curve.cpt(0.5)), pct(curve.cpt(0.8))]
        if withCost, let all = r.allStrongCost, all > 0 {
            for f in [0.5, 0.8] {
                // Random and oracle curves carry no per-query costs: price their shares at the mean.
                let saved: Double?
                if let (share, cost) = curve.crossing(f) {
                    if let cost { saved = 1 - cost / all } else {
                        let weakAll = r.router.points.first(where: { $0.strongShare == 0 })?.cost
                        saved = weakAll.map { 1 - ($0 + share * (all - $0)) / all }
                    }
                } else { saved = nil }
                row.append(pct(saved))
            }
        }
        rows.append(row)
    }
    var header = ["router", "APGR", "CPT(50%)", "CPT(80%)"]
    if withCost { header += ["saved@50%", "saved@80%"] }
    printTable(header, rows)
}
