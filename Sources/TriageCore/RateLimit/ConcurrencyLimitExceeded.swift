/// Why a request was refused for its team's limit on requests in flight (`max_concurrent`).
public struct ConcurrencyLimitExceeded: Error, Sendable, Equatable {
    /// The team's name.
    public var team: String
    /// Its limit: requests in flight at once.
    public var limit: Int

    public init(team: String, limit: Int) {
        self.team = team
        self.limit = limit
    }

    /// The OpenAI-shaped error (HTTP 429, type `requests`, code `concurrency_limit_exceeded`).
    public var body: OpenAIErrorBody {
        OpenAIErrorBody(message: "Team '\(team)' already has \(limit) requests in flight, its limit (max_concurrent). "
                            + "Try again when one of them has finished.",
                        type: "requests", code: "concurrency_limit_exceeded")
    }
}
