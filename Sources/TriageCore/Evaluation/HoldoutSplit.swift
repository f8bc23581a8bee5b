/// A reproducible train / held-out split of routing data.
///
/// - `.byCategory`: for each source whose rows carry several categories (MMLU subjects), whole
///   categories are held out: the sorted category names are shuffled with ``SplitMix64``(seed)
///   and the first `round(fraction × count)` (at least one) go to the held-out side. A source with
///   a single category (GSM8K) gets a random slice instead: its rows in file order are shuffled
///   with the same generator and the first `round(fraction × rows)` are held out.
/// - `.random`: every source gets the random slice.
public struct HoldoutSplit: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case byCategory = "category"
        case random
    }

    public var mode: Mode
    public var fraction: Double
    public var seed: UInt64
    /// Indices into the examples.
    public var train: [Int]
    public var heldOut: [Int]
    /// Held-out categories, `source/category`, sorted.
    public var heldOutCategories: [String]

    /// Splits `examples` (in file order).
    public init(_ examples: [RoutingExample], mode: Mode, fraction: Double = 0.2, seed: UInt64) {
        self.mode = mode
        self.fraction = fraction
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        var held = [Bool](repeating: false, count: examples.count)
        var heldCategories: [String] = []
        let sources = Set(examples.map(\.source)).sorted()
        for source in sources {
            let rows = examples.indices.filter { examples[$0].source == source }
            let categories = Set(rows.map { examples[$0].category }).sorted()
            if mode == .byCategory && categories.count > 1 {
                var shuffled = categories
                rng.shuffle(&shuffled)
                let k = min(max(1, Int((fraction * Double(categories.count)).rounded())), categories.count - 1)
                let chosen = Set(shuffled.prefix(k))
                for i in rows where chosen.contains(examples[i].category) { held[i] = true }
                heldCategories += chosen.map { "\(source)/\($0)" }
            } else {
                var shuffled = rows
                rng.shuffle(&shuffled)
                let k = Int((fraction * Double(rows.count)).rounded())
                for i in shuffled.prefix(k) { held[i] = true }
            }
        }
        train = examples.indices.filter { !held[$0] }
        heldOut = examples.indices.filter { held[$0] }
        heldOutCategories = heldCategories.sorted()
    }

    /// The split in words, enough to reproduce it.
    public var summary: String {
        let pct = Int((fraction * 100).rounded())
        switch mode {
        case .byCategory:
            return "holdout-by category, fraction \(pct)%, seed \(seed): per multi-category source, whole categories "
                + "(sorted names shuffled by SplitMix64(seed), first round(\(pct)% × count)); per single-category source, "
                + "a \(pct)% random slice of its rows (file order shuffled by the same generator)"
        case .random:
            return "holdout-by random, fraction \(pct)%, seed \(seed): per source, a \(pct)% random slice of its rows "
                + "(file order shuffled by SplitMix64(seed))"
        }
    }
}
