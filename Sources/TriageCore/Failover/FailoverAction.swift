/// What the worker does next, as decided by ``FailoverMachine``.
public enum FailoverAction: Sendable, Equatable {
    /// Make the first attempt, on this tier (from ``FailoverMachine/firstTier(openCircuits:now:)``).
    case attempt(tier: Int)
    /// Wait this long, then try the same tier (``FailoverMachine/currentTier``) again.
    case retrySameModel(after: Duration)
    /// Try this tier next, at once.
    case climb(toTier: Int, reason: ClimbReason)
    /// Stop: give the client this error (as an error event without `[DONE]` if a stream had started).
    case fail(status: Int, error: OpenAIErrorBody)
    /// The answer was delivered; nothing more to do.
    case succeed
}

/// Why the machine left a tier, for logs and `x-triage-fallbacks`.
public enum ClimbReason: Sendable, Equatable, CustomStringConvertible {
    /// The attempt failed and this kind of failure is not retried on the same model (or its retries ran out).
    case failed(AttemptFailure.Kind)
    /// A 429 asked for a longer wait than the cap or the budget allows.
    case retryAfterTooLong(Duration)
    /// The model has had ``FailoverPolicy/maxAttemptsPerModel`` attempts.
    case attemptsExhausted
    /// The tier's circuit is open.
    case circuitOpen
    /// The provider refused Triage's credentials (401/403): it is misconfigured.
    case providerMisconfigured(provider: String)
    /// The request does not fit the model's context window; climbing to one that can hold this many tokens.
    case contextWindow(needed: Int)

    public var description: String {
        switch self {
        case .failed(let kind): kind.rawValue
        case .retryAfterTooLong(let d): "retry_after_too_long(\(d))"
        case .attemptsExhausted: "attempts_exhausted"
        case .circuitOpen: "circuit_open"
        case .providerMisconfigured(let p): "provider_misconfigured(\(p))"
        case .contextWindow(let n): "context_window(\(n))"
        }
    }
}
