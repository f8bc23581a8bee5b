/// Where scores cut the tier ladder: below `simpleBelow` is simple, from `complexFrom` on is
/// complex, between is medium. On a two-tier ladder medium and complex both map to the upper
/// tier, so `simpleBelow` alone decides.
public struct ScoreThresholds: Sendable, Equatable, Codable {
    public var simpleBelow: Double
    public var complexFrom: Double

    public init(simpleBelow: Double, complexFrom: Double) {
        self.simpleBelow = simpleBelow
        self.complexFrom = max(complexFrom, simpleBelow)
    }

    public func complexity(for score: Double) -> Complexity {
        if score < simpleBelow { return .simple }
        if score >= complexFrom { return .complex }
        return .medium
    }
}

/// The learned classifier: a ``LearnedModel`` and its thresholds.
///
/// Build one from a model file:
/// ```swift
/// let file = try ModelFile.decode(bytes)
/// let classifier = LearnedClassifier(file)
/// ```
public struct LearnedClassifier: Classifier {
    public let model: LearnedModel
    public let thresholds: ScoreThresholds
    /// The model's version or file name, for logs.
    public let label: String
    public var name: String { "learned" }

    public init(model: LearnedModel, thresholds: ScoreThresholds, label: String = "") {
        self.model = model
        self.thresholds = thresholds
        self.label = label
    }

    /// The model and thresholds of a decoded model file.
    public init(_ file: ModelFile) {
        self.init(model: file.model, thresholds: file.thresholds, label: file.name)
    }

    public func classify(_ request: ChatRequest) -> Classification {
        classify(FeatureInput(request: request))
    }

    public func classify(_ input: FeatureInput) -> Classification {
        let score = model.score(input)
        let c = thresholds.complexity(for: score)
        let rounded = (score * 1000).rounded() / 1000
        let cut = c == .simple ? "< \(thresholds.simpleBelow.rounded3)"
            : c == .complex ? ">= \(thresholds.complexFrom.rounded3)" : "in [\(thresholds.simpleBelow.rounded3), \(thresholds.complexFrom.rounded3))"
        let model = label.isEmpty ? "" : " (\(label))"
        return Classification(complexity: c, score: score, reason: "P(needs stronger) \(rounded) \(cut)\(model)")
    }
}

extension Double {
    var rounded3: Double { (self * 1000).rounded() / 1000 }
}
