/// A classifier's figures on the held-out slice `triage retrain` judges versions on.
public struct RetrainFigures: Sendable, Equatable {
    /// Held-out rows.
    public var rows: Int
    /// APGR by RouteLLM's protocol, the row-weighted mean over sources (it depends on the scores'
    /// order only, not on thresholds).
    public var apgr: Double
    /// Mean quality (the recorded scores) of the model each row is routed to.
    public var accuracy: Double
    /// Share of rows routed to each tier.
    public var shares: ThresholdCalibration.Shares

    /// Share of rows routed above the cheapest tier: what the routing costs.
    public var strongShare: Double { shares.medium + shares.complex }

    public init(rows: Int, apgr: Double, accuracy: Double, shares: ThresholdCalibration.Shares) {
        self.rows = rows
        self.apgr = apgr
        self.accuracy = accuracy
        self.shares = shares
    }

    /// Figures with `strongShare` of the rows at the top tier and none in the middle.
    public init(rows: Int, apgr: Double, accuracy: Double, strongShare: Double) {
        self.init(rows: rows, apgr: apgr, accuracy: accuracy, shares: .init(simple: 1 - strongShare, medium: 0, complex: strongShare))
    }

    /// The figures of a classifier's scores at its thresholds.
    /// - Parameters:
    ///   - scores: the classifier's score per example.
    ///   - thresholds: where its scores cut the ladder (simple → the cheapest model, complex → the
    ///     strongest, medium → the second model).
    public static func measure(_ examples: [RoutingExample], scores: [Double], thresholds: ScoreThresholds,
                               policy: LabelPolicy) -> RetrainFigures {
        precondition(examples.count == scores.count)
        var fractions: [[Double]] = []
        fractions.reserveCapacity(examples.count)
        for s in scores {
            switch thresholds.complexity(for: s) {
            case .simple: fractions.append([1, 0, 0])
            case .medium: fractions.append([0, 1, 0])
            case .complex: fractions.append([0, 0, 1])
            }
        }
        return figures(examples, scores: scores, tierFractions: fractions, policy: policy)
    }

    /// The figures of a classifier's scores when its lowest-scoring `shares.simple` of the rows go
    /// to the cheapest tier, the highest-scoring `shares.complex` to the top one and the rest to the
    /// middle: its quality at a given cost, whatever its thresholds. Rows with equal scores cannot be
    /// told apart, so a tie group straddling a cut is split in proportion (the expected quality of
    /// breaking the tie at random), and the shares are met exactly.
    public static func measure(_ examples: [RoutingExample], scores: [Double], shares: ThresholdCalibration.Shares,
                               policy: LabelPolicy) -> RetrainFigures {
        precondition(examples.count == scores.count)
        let n = Double(examples.count)
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        let cuts = [shares.simple * n, (shares.simple + shares.medium) * n]
        var fractions = [[Double]](repeating: [1, 0, 0], count: examples.count)
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count, scores[order[j]] == scores[order[i]] { j += 1 }
            // The group holds the rank positions [i, j); each tier gets its overlap with them.
            let lo = Double(i), hi = Double(j)
            func overlap(_ from: Double, _ to: Double) -> Double { max(0, min(hi, to) - max(lo, from)) / (hi - lo) }
            let f = [overlap(-.infinity, cuts[0]), overlap(cuts[0], cuts[1]), overlap(cuts[1], .infinity)]
            for k in i..<j { fractions[order[k]] = f }
            i = j
        }
        return figures(examples, scores: scores, tierFractions: fractions, policy: policy)
    }

    /// APGR from the scores; accuracy and shares from each row's split over the three tiers.
    private static func figures(_ examples: [RoutingExample], scores: [Double], tierFractions: [[Double]],
                                policy: LabelPolicy) -> RetrainFigures {
        guard !examples.isEmpty else { return RetrainFigures(rows: 0, apgr: 0, accuracy: 0, strongShare: 0) }
        let reports = BenchmarkReport.bySource(examples, scores: scores, policy: policy)
        let apgr = reports.reduce(0) { $0 + $1.router.apgr * Double($1.rows) } / Double(examples.count)
        let n = policy.models.count
        // simple → the cheapest model, medium → the second, complex → the strongest.
        let models = [policy.models[0], policy.models[min(1, n - 1)], policy.models[n - 1]]
        var quality = 0.0
        var tiers = [0.0, 0.0, 0.0]
        for (e, f) in zip(examples, tierFractions) {
            for t in 0..<3 where f[t] > 0 {
                quality += f[t] * (e.scores[models[t]] ?? 0)
                tiers[t] += f[t]
            }
        }
        let count = Double(examples.count)
        return RetrainFigures(rows: examples.count, apgr: apgr, accuracy: quality / count,
                              shares: .init(simple: tiers[0] / count, medium: tiers[1] / count, complex: tiers[2] / count))
    }
}
