/// The settings of the fail-over state machine (``FailoverMachine``), from the config's
/// `failover` section. Every field has a default, so `failover:` may be left out.
public struct FailoverPolicy: Sendable, Equatable {
    /// The longest `Retry-After` a 429 may ask for and still be waited out on the same model;
    /// a longer one climbs at once.
    public var retryAfterCap: Duration
    /// The most attempts one model gets within one request, retries included.
    public var maxAttemptsPerModel: Int
    /// No two attempts on the same model start closer together than this.
    public var backoffFloor: Duration
    /// The first backoff before a retry without `Retry-After`; it doubles on each further retry.
    public var backoffBase: Duration
    /// The longest backoff, before jitter.
    public var backoffMax: Duration
    /// Fraction of a backoff taken off at random (0 = none, 1 = "full jitter"); in [0, 1].
    public var jitter: Double
    /// Retries on the same model after a 429 without `Retry-After`, before climbing.
    public var rateLimitRetries: Int
    /// Retries on the same model after a 500/502/503/504/529 or a reset before any response byte.
    public var serverErrorRetries: Int
    /// Time to the response's first byte (status line); when it passes, climb without retrying.
    public var firstByteTimeout: Duration
    /// Streams: time to the first content token; when it passes, climb.
    public var firstTokenTimeout: Duration
    /// Streams: the longest silence between two bytes once the stream has started.
    public var streamIdleTimeout: Duration
    /// The whole request, every attempt and wait included, ends inside this.
    public var requestBudget: Duration
    /// On a provider's content-policy refusal: `false` returns the provider's reason to the
    /// caller, `true` climbs to the next tier.
    public var climbOnContentFilter: Bool

    /// Creates a policy; every parameter has the documented default.
    /// - Parameters:
    ///   - retryAfterCap: Longest `Retry-After` honoured on the same model (5 s).
    ///   - maxAttemptsPerModel: Attempts per model per request (3).
    ///   - backoffFloor: Smallest gap between two attempts on one model (250 ms).
    ///   - backoffBase: First backoff (500 ms), doubled per retry.
    ///   - backoffMax: Largest backoff before jitter (4 s).
    ///   - jitter: Random fraction taken off each backoff (0.5).
    ///   - rateLimitRetries: Retries after a 429 without `Retry-After` (2).
    ///   - serverErrorRetries: Retries after a 5xx or a reset before the response (1).
    ///   - firstByteTimeout: Time-to-first-byte limit (30 s).
    ///   - firstTokenTimeout: Time-to-first-token limit of streams (30 s).
    ///   - streamIdleTimeout: Idle limit of streams (15 s).
    ///   - requestBudget: Time budget of a whole request (300 s).
    ///   - climbOnContentFilter: Climb on content-policy refusals instead of returning them (false).
    public init(retryAfterCap: Duration = .seconds(5), maxAttemptsPerModel: Int = 3,
                backoffFloor: Duration = .milliseconds(250), backoffBase: Duration = .milliseconds(500),
                backoffMax: Duration = .seconds(4), jitter: Double = 0.5,
                rateLimitRetries: Int = 2, serverErrorRetries: Int = 1,
                firstByteTimeout: Duration = .seconds(30), firstTokenTimeout: Duration = .seconds(30),
                streamIdleTimeout: Duration = .seconds(15), requestBudget: Duration = .seconds(300),
                climbOnContentFilter: Bool = false) {
        self.retryAfterCap = retryAfterCap
        self.maxAttemptsPerModel = maxAttemptsPerModel
        self.backoffFloor = backoffFloor
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.jitter = jitter
        self.rateLimitRetries = rateLimitRetries
        self.serverErrorRetries = serverErrorRetries
        self.firstByteTimeout = firstByteTimeout
        self.firstTokenTimeout = firstTokenTimeout
        self.streamIdleTimeout = streamIdleTimeout
        self.requestBudget = requestBudget
        self.climbOnContentFilter = climbOnContentFilter
    }

    /// HTTP statuses that get ``serverErrorRetries`` retries (529: Anthropic's "overloaded").
    public static let retryableStatuses: Set<Int> = [500, 502, 503, 504, 529]
}
