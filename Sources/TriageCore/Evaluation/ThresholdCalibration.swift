/// Sets a classifier's thresholds from the scores it gives a data set (`triage calibrate`).
///
/// - By shares: the thresholds are the quantiles of the scores, so that the requested shares of the
///   queries fall below `simple_below` (simple), between (medium) and from `complex_from` on (complex).
/// - By kept gap (as RouteLLM calibrates its threshold): the lowest share of queries sent past the
///   cheapest tier that keeps the requested share of the quality gap between the cheapest and the
///   strongest model (PGR) on the data; that cut becomes `simple_below`, and `complex_from` is left
///   where it was (but not below the new `simple_below`), since two-model data says nothing about
///   the middle tier.
public enum ThresholdCalibration {
    /// Target shares of traffic per tier, summing to 1.
    public struct Shares: Sendable, Equatable {
        public var simple: Double
        public var medium: Double
        public var complex: Double

        public init(simple: Double, medium: Double, complex: Double) {
            self.simple = simple
            self.medium = medium
            self.complex = complex
        }

        /// Parses `simple=0.6,medium=0.3,complex=0.1` (missing tiers are 0; the sum must be 1 within 0.001).
        public init?(_ text: String) {
            var v: [String: Double] = [:]
            for part in text.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map { String($0).filter { $0 != " " } }
                guard kv.count == 2, ["simple", "medium", "complex"].contains(kv[0]), v[kv[0]] == nil,
                      let d = Double(kv[1]), d >= 0, d <= 1 else { return nil }
                v[kv[0]] = d
            }
            let s = Shares(simple: v["simple"] ?? 0, medium: v["medium"] ?? 0, complex: v["complex"] ?? 0)
            guard abs(s.simple + s.medium + s.complex - 1) < 0.001 else { return nil }
            self = s
        }
    }

    /// Thresholds that split `scores` into the target shares.
    public static func byShares(_ scores: [Double], _ shares: Shares) -> ScoreThresholds {
        let sorted = scores.sorted()
        return ScoreThresholds(simpleBelow: cut(sorted, below: shares.simple), complexFrom: cut(sorted, below: shares.simple + shares.medium))
    }

    /// The value below which `fraction` of the sorted scores lie: midway between the neighbours
    /// at the cut (ties cannot be split, so the share achieved may differ on tied scores).
    static func cut(_ sorted: [Double], below fraction: Double) -> Double {
        guard let first = sorted.first, let last = sorted.last else { return 0.5 }
        let k = Int((Double(sorted.count) * min(max(fraction, 0), 1)).rounded())
        if k <= 0 { return first }
        if k >= sorted.count { return last.nextUp }
        return (sorted[k - 1] + sorted[k]) / 2
    }

    /// The shares of `scores` each tier gets under `thresholds`.
    public static func shares(_ scores: [Double], _ thresholds: ScoreThresholds) -> Shares {
        guard !scores.isEmpty else { return Shares(simple: 0, medium: 0, complex: 0) }
        var counts: [Complexity: Int] = [:]
        for s in scores { counts[thresholds.complexity(for: s), default: 0] += 1 }
        let n = Double(scores.count)
        return Shares(simple: Double(counts[.simple] ?? 0) / n, medium: Double(counts[.medium] ?? 0) / n,
                      complex: Double(counts[.complex] ?? 0) / n)
    }

    /// The result of calibrating on a kept share of the quality gap.
    public struct GapCut: Sendable, Equatable {
        /// Queries scoring at least this go past the cheapest tier.
        public var threshold: Double
        /// The share of queries that do.
        public var strongShare: Double
        /// The PGR reached on the data.
        public var pgr: Double
    }

    /// The lowest strong share whose PGR on the data reaches `keep`.
    /// - Parameters:
    ///   - scores: the classifier's score per query.
    ///   - weak, strong: each query's quality with the cheapest and the strongest model.
    ///   - keep: the share of the quality gap to keep, in [0, 1].
    /// - Returns: nil when the data has no gap (the strong model is not better on average).
    public static func byKeptGap(scores: [Double], weak: [Double], strong: [Double], keep: Double) -> GapCut? {
        let n = scores.count
        guard n > 0, weak.count == n, strong.count == n else { return nil }
        let weakMean = weak.reduce(0, +) / Double(n), strongMean = strong.reduce(0, +) / Double(n)
        guard strongMean > weakMean else { return nil }
        func pgr(_ quality: Double) -> Double { (quality - weakMean) / (strongMean - weakMean) }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var total = weak.reduce(0, +)
        if pgr(total / Double(n)) >= keep { return GapCut(threshold: (scores.max() ?? 1).nextUp, strongShare: 0, pgr: pgr(total / Double(n))) }
        var i = 0
        while i < n {
            // Queries with equal scores go together: one threshold cannot split them.
            let s = scores[order[i]]
            while i < n, scores[order[i]] == s {
                total += strong[order[i]] - weak[order[i]]
                i += 1
            }
            let p = pgr(total / Double(n))
            if p >= keep { return GapCut(threshold: s, strongShare: Double(i) / Double(n), pgr: p) }
        }
        return GapCut(threshold: scores[order[n - 1]], strongShare: 1, pgr: pgr(total / Double(n)))
    }
}
