/// Why a request was refused for its team's request rate limit.
public struct RateLimitExceeded: Error, Sendable, Equatable {
    /// The team's name.
    public var team: String
    /// Its limit, requests per minute.
    public var limit: Int
    /// How long until a request would be admitted.
    public var retryAfter: Duration

    public init(team: String, limit: Int, retryAfter: Duration) {
        self.team = team
        self.limit = limit
        self.retryAfter = retryAfter
    }

    /// The OpenAI-shaped error (HTTP 429, type `requests`, code `rate_limit_exceeded`, as OpenAI's
    /// own request limit answers).
    public var body: OpenAIErrorBody {
        let ms = RequestRateBuckets.Admission.milliseconds(retryAfter)
        return OpenAIErrorBody(
            message: "Team '\(team)' has reached its rate limit of \(limit) requests per minute. Try again in "
                + "\(RequestRateBuckets.Admission.goDuration(milliseconds: max(1, ms))).",
            type: "requests", code: "rate_limit_exceeded")
    }
}
