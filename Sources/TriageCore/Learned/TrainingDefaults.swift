/// The training settings `triage train`, `triage retrain` and the coordinator's scheduled retrain
/// start from, defined once so that a retrained version is trained like the version it replaces.
///
/// Chosen on folds of the training rows of RouteLLM's GSM8K and MMLU data (README, "Learned
/// classifier"): the soft `gain` target, L2 1e-2, every source (benchmark) weighing the same, and
/// categories with inverted labels left out of training.
public enum TrainingDefaults {
    /// Training target: the soft target from the score difference.
    public static let label = LabelMode.gain
    /// L2 penalty.
    public static let l2 = 1e-2
    /// Weigh training rows so that every source has the same total weight.
    public static let balanceSources = true
    /// Leave out of training the categories whose labels look inverted
    /// (``TrainingRun/invertedCategories(_:rows:policy:minRows:gap:)``).
    public static let excludeInverted = true
    /// Fit ``LearnedModel/ChoiceHeads`` for multiple-choice queries, their rows weighed alike
    /// (`balanceChoiceHeads` false): on group 5-fold cross-validation of the training rows (seeds 1-5),
    /// MMLU 0.570 against 0.540 without heads and 0.549 with sources balanced for them too; GSM8K
    /// (open form, the main weights) 0.649 in all three.
    public static let choiceHeads = true
    /// Weigh the choice heads' training rows like the main weights' (sources balanced).
    public static let balanceChoiceHeads = false
    /// Epochs of mini-batch Adam.
    public static let epochs = 20
    /// Mini-batch size.
    public static let batchSize = 128
    /// Adam step size at the start (cosine decay to zero).
    public static let learningRate = 0.02
    /// Hashed feature buckets: 2^hashBits.
    public static let hashBits = 16
    /// The held-out split: whole categories, 20%, seed 1.
    public static let holdoutBy = HoldoutSplit.Mode.byCategory
    public static let holdoutFraction = 0.2
    public static let seed: UInt64 = 1

    /// The rows of `rows` to train on: without the categories in `excluded`, nor, when
    /// `excludeInverted`, those whose labels look inverted on `rows`.
    /// - Returns: the rows kept and the inverted categories found (empty when not excluding them).
    public static func trainingRows(_ examples: [RoutingExample], rows: [Int], policy: LabelPolicy, excludeInverted: Bool,
                                    excluded: Set<String> = []) -> (rows: [Int], inverted: [String]) {
        let inverted = excludeInverted ? TrainingRun.invertedCategories(examples, rows: rows, policy: policy) : []
        let out = excluded.union(inverted)
        return (out.isEmpty ? rows : rows.filter { !out.contains(examples[$0].category) }, inverted)
    }
}
