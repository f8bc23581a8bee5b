/// The arithmetic and text of a progress bar for counted work (rows, queries, epochs), with no
/// I/O: the caller supplies the clock and prints what it returns.
///
/// On a terminal the bar is redrawn in place at most every `terminalInterval` seconds; elsewhere
/// (logs, CI) a plain line is printed at most every `plainInterval` seconds, so a long run
/// leaves a few dozen lines, not thousands.
public struct ProgressMeter: Sendable {
    /// What is being counted, as shown before the bar (`features`, `eval`).
    public let label: String
    /// The count at completion, when known.
    public let total: Int?
    /// The unit shown after the counts (`rows`, `queries`).
    public let unit: String
    private let start: Double
    private var lastReport: Double?

    /// Seconds between two redraws on a terminal.
    public static let terminalInterval = 0.1
    /// Seconds between two plain lines when not on a terminal.
    public static let plainInterval = 5.0

    /// Starts a meter.
    /// - Parameters:
    ///   - label: What is being counted.
    ///   - total: The count at completion, or `nil` when unknown (no bar, no ETA).
    ///   - unit: The unit of the count.
    ///   - start: The clock reading (seconds) when the work started.
    public init(label: String, total: Int?, unit: String, start: Double) {
        self.label = label
        self.total = total
        self.unit = unit
        self.start = start
    }

    /// Whether a line is due at `now` for `done` units: the first update, the last one, and
    /// then at most one per interval.
    public mutating func isDue(done: Int, now: Double, terminal: Bool) -> Bool {
        let interval = terminal ? Self.terminalInterval : Self.plainInterval
        if let total, done >= total { lastReport = now; return true }
        if let last = lastReport, now - last < interval { return false }
        lastReport = now
        return true
    }

    /// Units per second so far.
    public func rate(done: Int, now: Double) -> Double {
        Double(done) / max(now - start, 1e-9)
    }

    /// The progress line for `done` units at `now`:
    /// `features [██████░░░░░░░░░░░░░░]  30% 3,000/10,000 rows · 2,950 rows/s · ETA 2 s`.
    /// - Parameter barWidth: cells of the bar; `nil` draws no bar (plain lines).
    public func line(done: Int, now: Double, barWidth: Int? = 20) -> String {
        let rate = rate(done: done, now: now)
        var parts = [label]
        if let total, total > 0 {
            let fraction = min(1, max(0, Double(done) / Double(total)))
            if let barWidth, barWidth > 0 {
                let full = Int((fraction * Double(barWidth)).rounded(.down))
                parts.append("[" + String(repeating: "█", count: full) + String(repeating: "░", count: barWidth - full) + "]")
            }
            let pct = Int((fraction * 100).rounded(.down))
            parts.append((pct < 10 ? "  " : pct < 100 ? " " : "") + "\(pct)%")
            parts.append("\(Self.grouped(done))/\(Self.grouped(total)) \(unit)")
        } else {
            parts.append("\(Self.grouped(done)) \(unit)")
        }
        var line = parts.joined(separator: " ") + " · \(Self.grouped(Int(rate.rounded()))) \(unit)/s"
        if let total, done < total, rate > 0 {
            line += " · ETA \(Self.duration(Double(total - done) / rate))"
        } else if let total, done >= total {
            line += " · \(Self.duration(now - start))"
        }
        return line
    }

    /// `12,345`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `0.4 s`, `12 s`, `3 min 05 s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 10 { return "\((seconds * 10).rounded() / 10) s" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        let rest = s % 60
        return "\(s / 60) min \(rest < 10 ? "0" : "")\(rest) s"
    }
}
