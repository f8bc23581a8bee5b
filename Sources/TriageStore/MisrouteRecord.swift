import Foundation

/// A climb: the first tier was not enough for this query.
public struct MisrouteRecord: Sendable, Equatable, Codable {
    public var requestID: String
    public var createdAt: Date
    public var teamID: Int64?
    /// SHA-256 hex of the normalised query.
    public var queryHash: String
    /// The query itself, only when the privacy setting allows storing it.
    public var queryText: String?
    /// The query's features as JSON, for retraining.
    public var features: String?
    public var firstTier: String
    /// The tier that finally answered (nil when none did).
    public var finalTier: String?
    /// `low_quality: refusal`, `server_error`, ...
    public var reason: String
    public var score: Double?

    public init(requestID: String, createdAt: Date, teamID: Int64?, queryHash: String, queryText: String?, features: String?,
                firstTier: String, finalTier: String?, reason: String, score: Double?) {
        self.requestID = requestID
        self.createdAt = createdAt
        self.teamID = teamID
        self.queryHash = queryHash
        self.queryText = queryText
        self.features = features
        self.firstTier = firstTier
        self.finalTier = finalTier
        self.reason = reason
        self.score = score
    }
}

/// A caller's verdict on one of its requests.
public struct FeedbackRecord: Sendable, Equatable, Codable {
    public var requestID: String
    public var teamID: Int64?
    public var keyID: Int64?
    public var createdAt: Date
    /// `needed_stronger`, `stronger_than_needed` or `good`.
    public var verdict: String
    public var comment: String?

    public init(requestID: String, teamID: Int64?, keyID: Int64?, createdAt: Date, verdict: String, comment: String?) {
        self.requestID = requestID
        self.teamID = teamID
        self.keyID = keyID
        self.createdAt = createdAt
        self.verdict = verdict
        self.comment = comment
    }
}
