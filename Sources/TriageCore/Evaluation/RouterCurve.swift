/// One point of a cost/quality curve.
public struct CurvePoint: Sendable, Equatable {
    /// The score threshold (nil for the oracle and random curves, which are not threshold-driven).
    public var threshold: Double?
    /// Share of queries sent to the strong model, in [0, 1].
    public var strongShare: Double
    /// Mean quality of the routed answers.
    public var quality: Double
    /// Total cost of the routed answers, when per-query costs were given.
    public var cost: Double?

    public init(threshold: Double?, strongShare: Double, quality: Double, cost: Double? = nil) {
        self.threshold = threshold
        self.strongShare = strongShare
        self.quality = quality
        self.cost = cost
    }
}

/// A router's cost/quality curve and RouteLLM's figures for it.
public struct RouterCurve: Sendable, Equatable {
    /// Sorted by strong share, ascending.
    public var points: [CurvePoint]
    public var weakQuality: Double
    public var strongQuality: Double

    public init(points: [CurvePoint], weakQuality: Double, strongQuality: Double) {
        self.points = points.sorted { ($0.strongShare, $0.quality) < ($1.strongShare, $1.quality) }
        self.weakQuality = weakQuality
        self.strongQuality = strongQuality
    }

    /// Performance gap recovered at a quality: (quality − weak) / (strong − weak).
    public func pgr(_ quality: Double) -> Double {
        let gap = strongQuality - weakQuality
        return gap == 0 ? 0 : (quality - weakQuality) / gap
    }

    /// Area under the PGR curve over the share of strong calls (trapezoid rule), divided by the
    /// span of shares covered, so a random router scores 0.5 (RouteLLM's APGR).
    public var apgr: Double {
        guard points.count >= 2, strongQuality != weakQuality else { return 0 }
        var area = 0.0
        for k in 1..<points.count {
            let a = points[k - 1], b = points[k]
            area += (b.strongShare - a.strongShare) * (pgr(a.quality) + pgr(b.quality)) / 2
        }
        let span = points[points.count - 1].strongShare - points[0].strongShare
        return span > 0 ? area / span : 0
    }

    /// CPT(x): the share of strong calls needed to recover `fraction` of the quality gap, by
    /// linear interpolation along the curve (the first crossing, walking up the share axis).
    /// Nil when the curve never gets there or there is no gap.
    public func cpt(_ fraction: Double) -> Double? {
        guard let (share, _) = crossing(fraction) else { return nil }
        return share
    }

    /// The share and (interpolated) cost at which the curve first recovers `fraction` of the gap.
    public func crossing(_ fraction: Double) -> (share: Double, cost: Double?)? {
        guard strongQuality > weakQuality, let first = points.first else { return nil }
        let target = weakQuality + fraction * (strongQuality - weakQuality)
        if first.quality >= target { return (first.strongShare, first.cost) }
        for k in 1..<points.count {
            let a = points[k - 1], b = points[k]
            if a.quality < target && b.quality >= target {
                let t = (target - a.quality) / (b.quality - a.quality)
                let share = a.strongShare + t * (b.strongShare - a.strongShare)
                var cost: Double?
                if let ca = a.cost, let cb = b.cost { cost = ca + t * (cb - ca) }
                return (share, cost)
            }
        }
        return nil
    }
}

/// RouteLLM's evaluation protocol (lm-sys/RouteLLM `evals/benchmarks.py` and `evaluate.py`).
public enum RouteLLMProtocol {
    /// The `bins + 1` quantile edges of the scores (linear interpolation between order statistics,
    /// as numpy and pandas' `qcut` compute them); duplicates are kept.
    public static func thresholds(_ scores: [Double], bins: Int = 10) -> [Double] {
        let s = scores.sorted()
        guard !s.isEmpty else { return [] }
        return (0...bins).map { k in
            let pos = Double(k) / Double(bins) * Double(s.count - 1)
            let lo = Int(pos.rounded(.down))
            let hi = min(lo + 1, s.count - 1)
            return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
        }
    }

    /// A router's curve: at each threshold, queries with `score >= threshold` go to the strong
    /// model (`>` at the last, highest threshold, so that point sends none).
    /// - Parameters:
    ///   - scores: the router's score per query (higher = needs the strong model).
    ///   - weak, strong: each model's quality per query.
    ///   - weakCost, strongCost: optional cost per query of each model.
    public static func evaluate(scores: [Double], weak: [Double], strong: [Double],
                                weakCost: [Double]? = nil, strongCost: [Double]? = nil, bins: Int = 10) -> RouterCurve {
        precondition(scores.count == weak.count && weak.count == strong.count)
        let n = Double(max(scores.count, 1))
        let edges = thresholds(scores, bins: bins)
        var points: [CurvePoint] = []
        for (k, t) in edges.enumerated() {
            var q = 0.0, calls = 0, cost = 0.0
            for i in scores.indices {
                let toStrong = k == edges.count - 1 ? scores[i] > t : scores[i] >= t
                if toStrong { calls += 1; q += strong[i]; cost += strongCost?[i] ?? 0 } else { q += weak[i]; cost += weakCost?[i] ?? 0 }
            }
            points.append(CurvePoint(threshold: t, strongShare: Double(calls) / n, quality: q / n,
                                     cost: weakCost != nil && strongCost != nil ? cost : nil))
        }
        return RouterCurve(points: points, weakQuality: weak.reduce(0, +) / n, strongQuality: strong.reduce(0, +) / n)
    }

    /// The best possible router: at each share (0%, 10%, … 100%) of strong calls it spends them on
    /// the queries where the strong model gains most, never on a loss (RouteLLM's optimal curve).
    public static func oracle(weak: [Double], strong: [Double], bins: Int = 10) -> RouterCurve {
        best(gains: zip(strong, weak).map { $0 - $1 }, weak: weak, strong: strong, bins: bins)
    }

    /// The best router that tells categories apart (MMLU's subjects) but not the queries within one:
    /// it knows each category's mean gain on these very rows and spends strong calls on the
    /// categories that gain most, a category's queries alike, never on a category that loses. What
    /// routing by category alone can reach: on data held out by whole categories, no router trained
    /// without them knows even this much. Nil when every row has the same category.
    public static func categoryOracle(categories: [String], weak: [Double], strong: [Double], bins: Int = 10) -> RouterCurve? {
        precondition(categories.count == weak.count && weak.count == strong.count)
        var sums: [String: (gain: Double, rows: Int)] = [:]
        for (i, c) in categories.enumerated() { sums[c, default: (0, 0)].gain += strong[i] - weak[i]; sums[c, default: (0, 0)].rows += 1 }
        guard sums.count > 1 else { return nil }
        let meanGain = sums.mapValues { $0.gain / Double($0.rows) }
        return best(gains: categories.map { meanGain[$0]! }, weak: weak, strong: strong, bins: bins)
    }

    /// The curve of spending `k/bins` of the queries as strong calls on the highest of `gains` (the
    /// quality each call adds), never on one that does not add; a fractional call adds its share.
    private static func best(gains all: [Double], weak: [Double], strong: [Double], bins: Int) -> RouterCurve {
        let n = Double(max(weak.count, 1))
        let gains = all.filter { $0 > 0 }.sorted(by: >)
        var prefix = [0.0]
        for g in gains { prefix.append(prefix[prefix.count - 1] + g) }
        let base = weak.reduce(0, +)
        let points = (0...bins).map { k -> CurvePoint in
            let share = Double(k) / Double(bins)
            let calls = min(share * n, Double(gains.count))
            let whole = Int(calls.rounded(.down))
            var gain = prefix[whole]
            if whole < gains.count { gain += (calls - Double(whole)) * gains[whole] }
            return CurvePoint(threshold: nil, strongShare: share, quality: (base + gain) / n)
        }
        return RouterCurve(points: points, weakQuality: base / n, strongQuality: strong.reduce(0, +) / n)
    }

    /// The expected curve of a router that picks the strong model at random: quality grows
    /// linearly with the share, so APGR is 0.5 and CPT(x) is x.
    public static func random(weak: [Double], strong: [Double], bins: Int = 10) -> RouterCurve {
        let n = Double(max(weak.count, 1))
        let w = weak.reduce(0, +) / n, s = strong.reduce(0, +) / n
        let points = (0...bins).map { k -> CurvePoint in
            let share = Double(k) / Double(bins)
            return CurvePoint(threshold: nil, strongShare: share, quality: w + share * (s - w))
        }
        return RouterCurve(points: points, weakQuality: w, strongQuality: s)
    }
}
