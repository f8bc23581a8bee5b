/// The three complexity classes of the product card.
public enum Complexity: String, Sendable, Codable, CaseIterable, Comparable {
    case simple, medium, complex

    private var rank: Int {
        switch self {
        case .simple: 0
        case .medium: 1
        case .complex: 2
        }
    }

    public static func < (a: Complexity, b: Complexity) -> Bool { a.rank < b.rank }
}

/// What a classifier decided for one query.
public struct Classification: Sendable, Equatable, Codable {
    public var complexity: Complexity
    /// Higher means the query needs a stronger model; in [0, 1].
    public var score: Double
    /// Which rule or model decided, in words.
    public var reason: String

    public init(complexity: Complexity, score: Double, reason: String) {
        self.complexity = complexity
        self.score = score
        self.reason = reason
    }
}

/// Decides how hard a query is. Rules today; learned and LLM-judge classifiers slot in later.
public protocol Classifier: Sendable {
    /// A short name for logs and `triage route` (`rules`).
    var name: String { get }
    /// Classifies a request. Must be fast and do no I/O.
    func classify(_ request: ChatRequest) -> Classification
}

/// The routing decision for one request: the first tier to try and why.
public struct RoutingDecision: Sendable, Equatable, Codable {
    public var tierIndex: Int
    public var tier: String
    public var model: String
    public var reason: String
    public var score: Double?

    public init(tierIndex: Int, tier: String, model: String, reason: String, score: Double?) {
        self.tierIndex = tierIndex
        self.tier = tier
        self.model = model
        self.reason = reason
        self.score = score
    }
}

/// Decides the first tier for a request from its `model` field and the classifier.
public struct TierRouter: Sendable {
    public var ladder: Ladder
    public var classifier: any Classifier

    public init(ladder: Ladder, classifier: any Classifier) {
        self.ladder = ladder
        self.classifier = classifier
    }

    /// - Throws: `TriageError.modelNotFound` for an unknown `model`.
    public func decide(_ request: ChatRequest) throws(TriageError) -> RoutingDecision {
        switch try ladder.entry(for: request.model) {
        case .fixed(let i, let reason):
            let t = ladder.tiers[i]
            return RoutingDecision(tierIndex: i, tier: t.name, model: t.model, reason: reason, score: nil)
        case .auto:
            let c = classifier.classify(request)
            let i = ladder.index(for: c.complexity)
            let t = ladder.tiers[i]
            return RoutingDecision(tierIndex: i, tier: t.name, model: t.model, reason: "\(classifier.name): \(c.reason)", score: c.score)
        }
    }
}
