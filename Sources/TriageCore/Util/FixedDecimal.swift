extension Double {
    /// The value with exactly `digits` decimals (0...6), rounded half away from zero, as
    /// `String(format: "%.Nf")` writes it for ordinary values, without Foundation's formatter
    /// (which costs microseconds per call on the request path). Non-finite values and values
    /// beyond ±9e15 fall back to `description`.
    public func fixed(_ digits: Int) -> String {
        let digits = Swift.min(Swift.max(digits, 0), 6)
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        guard isFinite, Swift.abs(self) < 9e15 / Double(scale) else { return description }
        let scaled = (Swift.abs(self) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        let n = Int64(scaled)
        let whole = String(n / scale)
        let sign = self < 0 && n != 0 ? "-" : ""
        guard digits > 0 else { return sign + whole }
        var fraction = String(n % scale)
        if fraction.count < digits { fraction = String(repeating: "0", count: digits - fraction.count) + fraction }
        return sign + whole + "." + fraction
    }
}
