/// What a learned model is trained to predict.
public enum LabelMode: String, Sendable, CaseIterable {
    /// 1 when the query needs more than the cheapest model (``LabelPolicy/needsStronger(_:)``), else 0.
    case binary
    /// A soft target `(1 + strong − weak) / 2` (clamped to [0, 1]): the score then ranks queries by the
    /// expected quality gained by the strong model, which is what the cost/quality curve rewards;
    /// a query the weak model answers better pulls the score down. The margin does not apply.
    case gain
}

/// The steps of training shared by `triage train` and the tests: targets, fitting, scoring,
/// cross-validation and thresholds.
public enum TrainingRun {
    /// The training target of each example.
    public static func targets(_ examples: [RoutingExample], policy: LabelPolicy, mode: LabelMode) -> [Double] {
        examples.map { e in
            switch mode {
            case .binary:
                return policy.needsStronger(e) ? 1 : 0
            case .gain:
                let (w, s) = policy.weakStrong(e)
                return min(max((1 + s - w) / 2, 0), 1)
            }
        }
    }

    /// Per example, the strongest and the cheapest model's quality: the targets of the choice heads.
    public static func qualities(_ examples: [RoutingExample], policy: LabelPolicy) -> ChoiceTargets {
        ChoiceTargets(strong: examples.map { policy.weakStrong($0).strong }, weak: examples.map { policy.weakStrong($0).weak })
    }

    /// Targets of the two ``LearnedModel/ChoiceHeads``, per example, and how the heads weigh rows.
    public struct ChoiceTargets: Sendable {
        public var strong: [Double]
        public var weak: [Double]
        /// Per-example weights of the heads' fits, or nil for every row alike (the main weights use
        /// the `weights` given to ``TrainingRun/fit(_:targets:weights:rows:settings:options:choiceHeads:progress:)``).
        public var weights: [Double]?

        public init(strong: [Double], weak: [Double], weights: [Double]? = nil) {
            self.strong = strong
            self.weak = weak
            self.weights = weights
        }
    }

    /// Fits a model on the rows `rows` of pre-extracted features. With `choiceHeads`, two more
    /// heads are fitted on the same rows, with the same options, to the strongest and the cheapest
    /// model's quality, for multiple-choice queries (``LearnedModel/choiceHeads``); `progress` then
    /// counts the three fits' epochs one after another.
    public static func fit(_ features: [FeatureVector], targets: [Double], weights: [Double]? = nil, rows: [Int],
                           settings: FeatureSettings, options: TrainingOptions, choiceHeads: ChoiceTargets? = nil,
                           progress: ((LogisticTrainer.Epoch) -> Void)? = nil) -> LearnedModel {
        let x = rows.map { features[$0] }
        func one(_ targets: [Double], _ weights: [Double]?, _ part: Int) -> LearnedModel {
            let w = weights.map { w in rows.map { w[$0] } }
            let y = rows.map { targets[$0] }
            let report: ((LogisticTrainer.Epoch) -> Void)? = progress.map { p in
                { e in
                    var e = e
                    let parts = choiceHeads == nil ? 1 : 3
                    e.epoch += part * e.epochs
                    e.epochs *= parts
                    p(e)
                }
            }
            switch options.optimiser {
            case .adam:
                return LogisticTrainer.train(x, targets: y, sampleWeights: w, settings: settings, options: options, progress: report)
            case .lbfgs:
                return LBFGSTrainer.train(x, targets: y, sampleWeights: w, settings: settings, options: options, progress: report)
            }
        }
        var model = one(targets, weights, 0)
        if let c = choiceHeads {
            // Same rows, so the same standardisation as the main weights.
            model.choiceHeads = LearnedModel.ChoiceHeads(strong: one(c.strong, c.weights, 1).mainHead,
                                                         weak: one(c.weak, c.weights, 2).mainHead)
        }
        return model
    }

    /// Per-example weights that give every source (benchmark) the same total weight among `rows`,
    /// keeping the mean weight 1.
    public static func balancedWeights(_ examples: [RoutingExample], rows: [Int]) -> [Double] {
        var count: [String: Int] = [:]
        for i in rows { count[examples[i].source, default: 0] += 1 }
        let sources = Double(max(count.count, 1))
        return examples.map { e in
            guard let c = count[e.source], c > 0 else { return 1 }
            return Double(rows.count) / (sources * Double(c))
        }
    }

    /// Categories among `rows` whose labels look inverted: at least `minRows` rows, and the strongest
    /// model's mean quality below the cheapest's by more than `gap`. A stronger model that loses a
    /// whole subject by that much is a grading artefact (RouteLLM's MMLU file grades GPT-4 at 3% on
    /// high_school_mathematics, Mixtral at 32%), not a routing signal; training on it teaches that
    /// mathematics needs the weaker model. Decided on training rows only.
    public static func invertedCategories(_ examples: [RoutingExample], rows: [Int], policy: LabelPolicy,
                                          minRows: Int = 50, gap: Double = 0.1) -> [String] {
        var sums: [String: (n: Int, weak: Double, strong: Double)] = [:]
        for i in rows {
            let (w, s) = policy.weakStrong(examples[i])
            let key = examples[i].category
            let c = sums[key] ?? (0, 0, 0)
            sums[key] = (c.n + 1, c.weak + w, c.strong + s)
        }
        return sums.filter { $0.value.n >= minRows && ($0.value.weak - $0.value.strong) / Double($0.value.n) > gap }
            .keys.sorted()
    }

    /// Scores of the rows `rows`.
    public static func scores(_ model: LearnedModel, _ features: [FeatureVector], rows: [Int]) -> [Double] {
        rows.map { model.score(features[$0]) }
    }

    /// Mean held-out APGR per source of group k-fold cross-validation on `rows`, for one set of options.
    public static func crossValidate(_ examples: [RoutingExample], features: [FeatureVector], targets: [Double],
                                     weights: [Double]? = nil, rows: [Int], folds k: Int, policy: LabelPolicy, settings: FeatureSettings,
                                     options: TrainingOptions, choiceHeads: ChoiceTargets? = nil) -> [String: Double] {
        let folds = CrossValidation.folds(examples, indices: rows, k: k, seed: options.seed)
        var sums: [String: Double] = [:]
        for valid in folds {
            let held = Set(valid)
            let train = rows.filter { !held.contains($0) }
            let model = fit(features, targets: targets, weights: weights, rows: train, settings: settings, options: options,
                            choiceHeads: choiceHeads)
            let s = scores(model, features, rows: valid)
            for r in BenchmarkReport.bySource(valid.map { examples[$0] }, scores: s, policy: policy) {
                sums[r.source, default: 0] += r.router.apgr / Double(k)
            }
        }
        return sums
    }

    /// Thresholds at quantiles of the training scores: half the traffic below `simpleBelow`
    /// (cheapest tier), the top fifth from `complexFrom` (top tier). `triage calibrate` can move them.
    public static func defaultThresholds(trainingScores: [Double]) -> (ScoreThresholds, String) {
        let q = RouteLLMProtocol.thresholds(trainingScores, bins: 10)
        guard q.count == 11 else { return (ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.8), "fixed 0.5 / 0.8 (no training scores)") }
        return (ScoreThresholds(simpleBelow: q[5], complexFrom: q[8]),
                "quantiles 0.5 and 0.8 of the training rows' scores: about 50% simple, 30% medium, 20% complex")
    }
}
