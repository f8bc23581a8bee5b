import Foundation

/// One shadow comparison: a request answered below the top tier, compared by a judge with the
/// top tier's answer to the same request.
public struct ShadowRecord: Sendable, Equatable, Codable {
    /// The row id (0 before it is stored).
    public var id: Int64
    public var requestID: String
    public var createdAt: Date
    public var teamID: Int64?
    /// The tier and model whose answer the client got.
    public var tier: String
    public var model: String
    /// The tier and model it was compared with.
    public var topTier: String
    public var topModel: String
    /// SHA-256 hex of the normalised query.
    public var queryHash: String
    /// The query itself, only when the privacy setting allows storing it.
    public var queryText: String?
    /// The classifier's score for the query.
    public var score: Double?
    /// `as_good`, `worse`, `better` or `unknown`; nil while the comparison runs.
    public var verdict: String?
    /// The judge's reason, or why the comparison failed.
    public var detail: String?
    /// The worst-case cost counted against the shadow budget while the comparison runs.
    public var reservedNano: Int64
    /// What the comparison cost (top-tier call and judge call).
    public var costNano: Int64
    public var finishedAt: Date?
    /// The worker process running the comparison (nil for rows stored before schema version 9).
    public var ownerPID: Int32?
    public var ownerHost: String?

    public init(id: Int64 = 0, requestID: String, createdAt: Date, teamID: Int64?, tier: String, model: String, topTier: String,
                topModel: String, queryHash: String, queryText: String?, score: Double?, verdict: String? = nil, detail: String? = nil,
                reservedNano: Int64, costNano: Int64 = 0, finishedAt: Date? = nil, ownerPID: Int32? = nil, ownerHost: String? = nil) {
        self.id = id
        self.requestID = requestID
        self.createdAt = createdAt
        self.teamID = teamID
        self.tier = tier
        self.model = model
        self.topTier = topTier
        self.topModel = topModel
        self.queryHash = queryHash
        self.queryText = queryText
        self.score = score
        self.verdict = verdict
        self.detail = detail
        self.reservedNano = reservedNano
        self.costNano = costNano
        self.finishedAt = finishedAt
        self.ownerPID = ownerPID
        self.ownerHost = ownerHost
    }
}

/// Verdicts of one answering tier.
public struct ShadowVerdictCount: Sendable, Equatable {
    public var tier: String
    public var verdict: String
    public var count: Int

    public init(tier: String, verdict: String, count: Int) {
        self.tier = tier
        self.verdict = verdict
        self.count = count
    }
}
