/// A router's figures on one benchmark (source), beside the random and oracle routers on the same rows.
public struct BenchmarkReport: Sendable, Equatable {
    public var source: String
    public var rows: Int
    public var router: RouterCurve
    public var random: RouterCurve
    public var oracle: RouterCurve
    /// The best router by category alone (``RouteLLMProtocol/categoryOracle(categories:weak:strong:bins:)``);
    /// nil when the source's rows have one category.
    public var categoryOracle: RouterCurve?
    /// Cost of sending every query to the strong model, when costs were given.
    public var allStrongCost: Double?

    /// One report per source, sorted by source name.
    /// - Parameters:
    ///   - scores: the router's score per example.
    ///   - cost: optional cost of answering an example with the weak and with the strong model.
    public static func bySource(_ examples: [RoutingExample], scores: [Double], policy: LabelPolicy,
                                cost: ((RoutingExample) -> (weak: Double, strong: Double))? = nil) -> [BenchmarkReport] {
        precondition(examples.count == scores.count)
        var groups: [String: [Int]] = [:]
        for i in examples.indices { groups[examples[i].source, default: []].append(i) }
        return groups.keys.sorted().map { source in
            let rows = groups[source]!
            let ws = rows.map { policy.weakStrong(examples[$0]) }
            let weak = ws.map(\.weak), strong = ws.map(\.strong)
            let costs = cost.map { c in rows.map { c(examples[$0]) } }
            let curve = RouteLLMProtocol.evaluate(scores: rows.map { scores[$0] }, weak: weak, strong: strong,
                                                  weakCost: costs?.map(\.weak), strongCost: costs?.map(\.strong))
            return BenchmarkReport(source: source, rows: rows.count, router: curve,
                                   random: RouteLLMProtocol.random(weak: weak, strong: strong),
                                   oracle: RouteLLMProtocol.oracle(weak: weak, strong: strong),
                                   categoryOracle: RouteLLMProtocol.categoryOracle(categories: rows.map { examples[$0].category }, weak: weak, strong: strong),
                                   allStrongCost: costs.map { $0.reduce(0) { $0 + $1.strong } })
        }
    }

    /// The figures stored in a model file.
    public var metrics: ModelMetrics {
        ModelMetrics(rows: rows, apgr: router.apgr, cpt50: router.cpt(0.5) ?? .nan, cpt80: router.cpt(0.8) ?? .nan,
                     randomAPGR: random.apgr, oracleAPGR: oracle.apgr)
    }
}

/// Group k-fold cross-validation folds over a subset of examples, mirroring ``HoldoutSplit``:
/// multi-category sources are split by whole categories, single-category sources by rows.
public enum CrossValidation {
    /// `k` disjoint validation sets covering `indices`; fold `f` trains on the rest.
    public static func folds(_ examples: [RoutingExample], indices: [Int], k: Int, seed: UInt64) -> [[Int]] {
        precondition(k >= 2)
        var rng = SplitMix64(seed: seed ^ 0x5eed_f01d)
        var fold = [Int: Int]()
        let sources = Set(indices.map { examples[$0].source }).sorted()
        for source in sources {
            let rows = indices.filter { examples[$0].source == source }
            var categories = Set(rows.map { examples[$0].category }).sorted()
            if categories.count >= k {
                rng.shuffle(&categories)
                let of = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0 % k) })
                for i in rows { fold[i] = of[examples[i].category]! }
            } else {
                var shuffled = rows
                rng.shuffle(&shuffled)
                for (j, i) in shuffled.enumerated() { fold[i] = j % k }
            }
        }
        return (0..<k).map { f in indices.filter { fold[$0] == f } }
    }
}
