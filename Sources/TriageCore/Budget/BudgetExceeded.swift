import Foundation

/// Why a request was refused for budget: everything the caller needs to understand it.
public struct BudgetExceeded: Error, Sendable, Equatable {
    public var team: String
    /// The key whose own budget refused the request (`'notebook' (1a2b3c4d)`), or nil when the team's did.
    public var key: String?
    public var limit: Money
    public var spent: Money
    public var reserved: Money
    public var needed: Money
    public var period: BudgetPeriod
    /// When the period resets; nil for a `total` budget.
    public var resetsAt: Date?

    public init(team: String, key: String? = nil, limit: Money, spent: Money, reserved: Money, needed: Money, period: BudgetPeriod, resetsAt: Date?) {
        self.team = team
        self.key = key
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.needed = needed
        self.period = period
        self.resetsAt = resetsAt
    }

    /// The OpenAI-shaped error (HTTP 429, type `budget_exceeded`).
    public var body: OpenAIErrorBody {
        let reset = resetsAt.map { "; it resets at \(ISO8601DateFormatter().string(from: $0))" } ?? "; it does not reset (total budget)"
        return OpenAIErrorBody(
            message: "\(key.map { "Key \($0) of team '\(team)'" } ?? "Team '\(team)'") has spent $\(spent) of its \(period.rawValue) budget of $\(limit) ($\(reserved) reserved by requests in flight; this request needs up to $\(needed))\(reset).",
            type: "budget_exceeded", code: "budget_exceeded")
    }

    /// Whether the request could fit once requests in flight settle (their reservations count
    /// against it): false when what is already spent leaves no room for it, so that only a new
    /// period or a raised budget can let it through.
    public var mayFitLater: Bool {
        needed.nanoUSD <= limit.nanoUSD && spent.nanoUSD <= limit.nanoUSD - needed.nanoUSD
    }

    public static let status = 429
}
