/// How a query's model scores become a training label.
///
/// With models ordered cheapest first, the label is the cheapest model whose score is within
/// `margin` of the best score. For two models that is: "needs the stronger model" exactly
/// when the strong score beats the weak score by more than `margin`.
public struct LabelPolicy: Sendable, Equatable {
    /// Model names as in the data's `scores`, cheapest first.
    public var models: [String]
    public var margin: Double

    /// RouteLLM's pair: Mixtral-8x7B-Instruct (cheap) and GPT-4-1106-preview (strong).
    public static let routeLLMModels = ["mixtral-8x7b-instruct-v0.1", "gpt-4-1106-preview"]

    public init(models: [String] = LabelPolicy.routeLLMModels, margin: Double = 0) {
        precondition(models.count >= 2, "a ladder needs at least two models")
        self.models = models
        self.margin = margin
    }

    /// The models the data names, cheapest first as given, or nil when `models` are missing.
    public func missingModel(in example: RoutingExample) -> String? {
        models.first { example.scores[$0] == nil }
    }

    /// Index into `models` of the cheapest model within `margin` of the best.
    public func tier(_ example: RoutingExample) -> Int {
        let s = models.map { example.scores[$0] ?? 0 }
        let best = s.max() ?? 0
        return s.firstIndex { best - $0 <= margin } ?? 0
    }

    /// Whether the query needs more than the cheapest model.
    public func needsStronger(_ example: RoutingExample) -> Bool { tier(example) > 0 }

    /// Quality of the cheapest (`weak`) and the most expensive (`strong`) model.
    public func weakStrong(_ example: RoutingExample) -> (weak: Double, strong: Double) {
        (example.scores[models[0]] ?? 0, example.scores[models[models.count - 1]] ?? 0)
    }
}
