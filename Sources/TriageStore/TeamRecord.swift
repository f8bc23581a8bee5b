import Foundation

/// A team: who is charged, its spend limit and its rate limits.
public struct TeamRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// The budget in nano-USD per period; nil means unlimited.
    public var budgetNano: Int64?
    /// `daily`, `weekly`, `monthly` or `total`.
    public var period: String
    /// Fraction of the budget after which requests are capped at a cheaper tier; nil for none.
    public var softLimit: Double?
    public var createdAt: Date
    /// At most this many requests a minute from the team's keys; nil for no limit.
    public var requestsPerMinute: Int?
    /// At most this many tokens (prompt and answer) a minute from the team's keys; nil for no limit.
    public var tokensPerMinute: Int?
    /// At most this many of the team's requests in flight at once; nil for no limit.
    public var maxConcurrent: Int?

    public init(id: Int64, name: String, budgetNano: Int64?, period: String, softLimit: Double?, createdAt: Date,
                requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, maxConcurrent: Int? = nil) {
        self.id = id
        self.name = name
        self.budgetNano = budgetNano
        self.period = period
        self.softLimit = softLimit
        self.createdAt = createdAt
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrent = maxConcurrent
    }
}

/// An API key's stored form: never the key itself.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var teamID: Int64
    public var teamName: String
    public var name: String?
    public var prefix: String
    public var hash: [UInt8]
    public var createdAt: Date
    public var revokedAt: Date?
    /// The team's request rate limit (``TeamRecord/requestsPerMinute``), read with the key.
    public var teamRequestsPerMinute: Int?
    /// The team's token rate limit (``TeamRecord/tokensPerMinute``), read with the key.
    public var teamTokensPerMinute: Int?
    /// The team's limit on requests in flight (``TeamRecord/maxConcurrent``), read with the key.
    public var teamMaxConcurrent: Int?
    /// When the key stops working; nil for never.
    public var expiresAt: Date?
    /// The id of the key that replaced this one when it was rotated; nil when it was not.
    public var replacedBy: Int64?
    /// The key's own budget in nano-USD for its team's period, inside the team's; nil for none (the
    /// team's budget alone applies). A key made by rotation shares the budget of the key it replaced.
    public var budgetNano: Int64?
    /// The key whose budget and spend apply (this key, or the one a rotation started from); nil
    /// when the key has no budget.
    public var budgetKeyID: Int64?

    public init(id: Int64, teamID: Int64, teamName: String, name: String?, prefix: String, hash: [UInt8], createdAt: Date, revokedAt: Date?,
                teamRequestsPerMinute: Int? = nil, teamTokensPerMinute: Int? = nil, expiresAt: Date? = nil, replacedBy: Int64? = nil,
                teamMaxConcurrent: Int? = nil, budgetNano: Int64? = nil, budgetKeyID: Int64? = nil) {
        self.id = id
        self.teamID = teamID
        self.teamName = teamName
        self.name = name
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.teamRequestsPerMinute = teamRequestsPerMinute
        self.teamTokensPerMinute = teamTokensPerMinute
        self.teamMaxConcurrent = teamMaxConcurrent
        self.expiresAt = expiresAt
        self.replacedBy = replacedBy
        self.budgetNano = budgetNano
        self.budgetKeyID = budgetKeyID
    }
}
