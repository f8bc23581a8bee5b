/// Why a request was refused for one of its team's rate limits: requests per minute (`rpm`) or
/// tokens per minute (`tpm`).
public struct RateLimitExceeded: Error, Sendable, Equatable {
    /// The team's name.
    public var team: String
    /// What the limit counts.
    public var unit: RateBuckets.Unit
    /// Its limit, units per minute.
    public var limit: Int
    /// What the request needed: 1 request, or its estimated tokens.
    public var requested: Int
    /// How long until the request would be admitted; nil when it never would, being larger than
    /// the whole limit.
    public var retryAfter: Duration?

    public init(team: String, unit: RateBuckets.Unit = .requests, limit: Int, requested: Int = 1, retryAfter: Duration?) {
        self.team = team
        self.unit = unit
        self.limit = limit
        self.requested = requested
        self.retryAfter = retryAfter
    }

    /// The OpenAI-shaped error (HTTP 429, type `requests` or `tokens`, code `rate_limit_exceeded`,
    /// as OpenAI's own rate limit answers).
    public var body: OpenAIErrorBody {
        let limitText = "\(limit) \(unit.rawValue) per minute"
        guard let retryAfter else {
            return OpenAIErrorBody(
                message: "Request too large for team '\(team)': it needs about \(requested) tokens (its prompt and max_tokens), "
                    + "more than the team's whole rate limit of \(limitText). Lower max_tokens or shorten the prompt.",
                type: unit.rawValue, code: "rate_limit_exceeded")
        }
        let ms = RateBuckets.Admission.milliseconds(retryAfter)
        let needs = unit == .tokens ? " (this request needs about \(requested))" : ""
        return OpenAIErrorBody(
            message: "Team '\(team)' has reached its rate limit of \(limitText)\(needs). Try again in "
                + "\(RateBuckets.Admission.goDuration(milliseconds: max(1, ms))).",
            type: unit.rawValue, code: "rate_limit_exceeded")
    }
}
