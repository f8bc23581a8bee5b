extension RateBuckets.Admission {
    /// The response headers OpenAI's API sends about a rate limit, which its client libraries
    /// read: `x-ratelimit-limit-<unit>`, `x-ratelimit-remaining-<unit>`, `x-ratelimit-reset-<unit>`
    /// (a Go-style duration such as `850ms`, `8.5s` or `1m0s`), and, on a refusal, `retry-after`
    /// (whole seconds, rounded up) and `retry-after-ms`.
    public func headers(_ unit: RateBuckets.Unit) -> [String: String] {
        var h = [
            "x-ratelimit-limit-\(unit.rawValue)": String(limit),
            "x-ratelimit-remaining-\(unit.rawValue)": String(remaining),
            "x-ratelimit-reset-\(unit.rawValue)": Self.goDuration(milliseconds: Self.milliseconds(resetAfter)),
        ]
        if !admitted {
            let ms = max(1, Self.milliseconds(retryAfter))
            h["retry-after-ms"] = String(ms)
            h["retry-after"] = String((ms + 999) / 1000)
        }
        return h
    }

    /// A duration in whole milliseconds, rounded up.
    static func milliseconds(_ d: Duration) -> Int64 {
        let c = d.components
        let ms = c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
        return c.attoseconds % 1_000_000_000_000_000 > 0 ? ms + 1 : ms
    }

    /// `850ms`, `8.5s`, `1m0s`, `2m30.25s`: how Go prints a duration, to the millisecond.
    static func goDuration(milliseconds ms: Int64) -> String {
        if ms < 1000 { return "\(max(0, ms))ms" }
        let minutes = ms / 60_000
        let rest = ms % 60_000
        var seconds = String(rest / 1000)
        if rest % 1000 > 0 {
            var fraction = String(rest % 1000)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            seconds += "." + fraction
        }
        return minutes > 0 ? "\(minutes)m\(seconds)s" : "\(seconds)s"
    }
}
