import Foundation

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Monotonic nanoseconds.
func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// How long each measurement runs: `--quick` (CI smoke) or the default.
struct BenchOptions: Sendable {
    var secondsPerCase: Double = 1.0
    var budgetSeconds: Double = 3.0
    var markdown = false

    static let quick = BenchOptions(secondsPerCase: 0.03, budgetSeconds: 0.3)
}

/// One line of the results table.
struct BenchResult: Sendable {
    var group: String
    var name: String
    /// Nanoseconds per operation (median of the batches).
    var nsPerOp: Double
    /// Bytes handled per operation, when it makes sense (for MB/s).
    var bytes: Int? = nil
    /// The baseline's ns/op this case is compared with, and the baseline's name.
    var baselineNs: Double? = nil
    var baselineName: String? = nil
    /// Extra text (for example "4 processes").
    var note: String = ""

    var opsPerSecond: Double { 1e9 / nsPerOp }
    var ratio: Double? { baselineNs.map { nsPerOp / $0 } }
}

/// Runs `body(n)` (which must do the operation `n` times) in batches of at least ~5 ms until
/// `seconds` have passed, and returns the median ns per operation over the batches.
func measure(seconds: Double, _ body: (Int) -> Void) -> Double {
    // Warm up and calibrate the batch size.
    var n = 1
    while true {
        let t0 = nowNanos()
        body(n)
        let dt = nowNanos() - t0
        if dt >= 5_000_000 || n >= 1 << 30 { break }
        n = dt < 50_000 ? n * 16 : max(n * 2, Int(Double(n) * 5_500_000 / Double(max(dt, 1))))
    }
    var samples: [Double] = []
    let deadline = nowNanos() + UInt64(seconds * 1e9)
    repeat {
        let t0 = nowNanos()
        body(n)
        samples.append(Double(nowNanos() - t0) / Double(n))
    } while nowNanos() < deadline || samples.count < 3
    samples.sort()
    return samples[samples.count / 2]
}

func formatNs(_ ns: Double) -> String {
    if ns < 1_000 { return String(format: "%.0f ns", ns) }
    if ns < 1_000_000 { return String(format: "%.2f µs", ns / 1_000) }
    return String(format: "%.2f ms", ns / 1_000_000)
}

func formatRate(_ r: Double) -> String {
    if r >= 1e6 { return String(format: "%.2f M/s", r / 1e6) }
    if r >= 1e3 { return String(format: "%.1f k/s", r / 1e3) }
    return String(format: "%.0f /s", r)
}

/// Prints the results as a fixed-width table, and as Markdown when asked.
func printResults(_ results: [BenchResult], markdown: Bool) {
    func row(_ r: BenchResult) -> [String] {
        let mbs = r.bytes.map { String(format: "%.0f MB/s", Double($0) / r.nsPerOp * 1e3) } ?? "-"
        let ratio = r.ratio.map { String(format: $0 < 0.1 ? "%.3f× %@" : "%.1f× %@", $0, r.baselineName ?? "") } ?? "-"
        return [r.group, r.name, formatNs(r.nsPerOp), formatRate(r.opsPerSecond), mbs, ratio, r.note]
    }
    let header = ["group", "case", "time/op", "ops/s", "throughput", "time vs baseline", "note"]
    let rows = results.map(row)
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    print(line(header))
    for r in rows { print(line(r)) }
    if markdown {
        print("")
        print("| " + header.joined(separator: " | ") + " |")
        print("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
        for r in rows { print("| " + r.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |") }
    }
}
