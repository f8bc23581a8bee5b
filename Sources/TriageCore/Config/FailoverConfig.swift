/// The config's `failover` section: how requests retry, climb and time out, and when a
/// model's circuit opens.
///
/// ```yaml
/// failover:
///   retry_after_cap_s: 5          # longest Retry-After waited out on the same model
///   max_attempts_per_model: 3
///   backoff_floor_ms: 250         # no two attempts on one model closer than this
///   backoff_base_ms: 500          # first backoff, doubled per retry, up to backoff_max_ms
///   backoff_max_ms: 4000
///   jitter: 0.5                   # random fraction taken off each backoff
///   rate_limit_retries: 2         # 429 without Retry-After
///   server_error_retries: 1       # 500/502/503/504/529, reset before the response
///   first_byte_timeout_s: 30      # no response at all: climb, no retry
///   first_token_timeout_s: 30     # streams
///   stream_idle_timeout_s: 15     # streams
///   request_budget_s: 300         # the whole request
///   content_filter: return        # or climb
///   hold_back_tokens: 0           # streams: tokens held back so early faults are repaired invisibly
///   hold_back_ms: 0
///   circuit: {failure_threshold: 5, cool_down_s: 5, probe_timeout_s: 30}
/// ```
public struct FailoverConfig: Sendable, Equatable {
    public var policy: FailoverPolicy
    public var circuit: CircuitPolicy
    /// Streams: content tokens held back from the client at the start of a stream.
    public var holdBackTokens: Int
    /// Streams: milliseconds the start of a stream is held back from the client.
    public var holdBackMs: Int

    public init(policy: FailoverPolicy = FailoverPolicy(), circuit: CircuitPolicy = CircuitPolicy(),
                holdBackTokens: Int = 0, holdBackMs: Int = 0) {
        self.policy = policy
        self.circuit = circuit
        self.holdBackTokens = holdBackTokens
        self.holdBackMs = holdBackMs
    }
}
