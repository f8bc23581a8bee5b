import Foundation

/// A team's spend position in its current period.
public struct BudgetStatus: Sendable, Equatable {
    public var team: TeamRecord
    /// Settled spend in the current period.
    public var spentNano: Int64
    /// Reservations of attempts in flight.
    public var reservedNano: Int64

    public init(team: TeamRecord, spentNano: Int64, reservedNano: Int64) {
        self.team = team
        self.spentNano = spentNano
        self.reservedNano = reservedNano
    }

    /// What is left of the budget, after settled spend (nil when unlimited).
    public var remainingNano: Int64? { team.budgetNano.map { $0 - spentNano } }

    /// Whether settled spend has reached the team's soft limit (its requests are then capped at a cheaper tier).
    public var isPastSoftLimit: Bool {
        guard let budget = team.budgetNano, let soft = team.softLimit else { return false }
        return Double(spentNano) >= soft * Double(budget)
    }
}

/// The outcome of a reservation attempt.
public enum ReservationResult: Sendable, Equatable {
    /// Reserved; settle or release the reservation with this id. `key` is the position of the key's
    /// own budget, when it has one, before this reservation.
    case reserved(id: Int64, status: BudgetStatus, key: KeyBudgetStatus?)
    /// The team has no budget: nothing reserved.
    case unlimited(status: BudgetStatus)
    /// Spent + reserved + this amount would exceed the budget.
    case refused(status: BudgetStatus)
    /// Spent + reserved + this amount would exceed the key's own budget (the team's may have room).
    case keyRefused(key: KeyBudgetStatus, status: BudgetStatus)
}

/// One ledger row: the cost of one upstream attempt, charged to a team.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public var teamID: Int64?
    public var requestID: String
    public var createdAt: Date
    public var tier: String?
    public var model: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var usageEstimated: Bool
    /// Prompt tokens read from the provider's prompt cache (part of `promptTokens`).
    public var cachedTokens: Int
    /// Prompt tokens written to the provider's prompt cache (part of `promptTokens`).
    public var cacheWriteTokens: Int
    public var costNano: Int64
    /// `ok` or the failure kind of the attempt.
    public var outcome: String
    /// The API key that made the request; nil without auth (or for the router's own calls).
    public var keyID: Int64?
    /// The end user the request named in OpenAI's `user` field, at most ``maxEndUserLength`` characters.
    public var endUser: String?
    /// The key whose own budget the cost counts against too (``APIKeyRecord/budgetKeyID``); not a
    /// column of the ledger (`key_id` names the key that made the request).
    public var budgetKeyID: Int64?

    /// The longest `user` kept; a longer one is cut.
    public static let maxEndUserLength = 256

    public init(teamID: Int64?, requestID: String, createdAt: Date, tier: String?, model: String?, promptTokens: Int,
                completionTokens: Int, usageEstimated: Bool, costNano: Int64, outcome: String, keyID: Int64? = nil, endUser: String? = nil,
                budgetKeyID: Int64? = nil, cachedTokens: Int = 0, cacheWriteTokens: Int = 0) {
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.teamID = teamID
        self.requestID = requestID
        self.createdAt = createdAt
        self.tier = tier
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.usageEstimated = usageEstimated
        self.costNano = costNano
        self.outcome = outcome
        self.keyID = keyID
        self.endUser = endUser.map { String($0.prefix(Self.maxEndUserLength)) }
        self.budgetKeyID = budgetKeyID
    }
}

/// One line of a spend report.
public struct SpendRow: Sendable, Equatable, Codable {
    public var team: String
    /// The group: a tier, a model or a day (`YYYY-MM-DD`), or "" for the team total.
    public var key: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var costNano: Int64
}
