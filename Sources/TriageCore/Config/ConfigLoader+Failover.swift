extension ConfigLoader {
    /// Reads the optional `failover` section; absent keys keep their defaults.
    static func readFailover(_ node: NodeReader?) throws(ConfigError) -> FailoverConfig {
        var out = FailoverConfig()
        guard let f = node else { return out }
        try f.allowOnly(["retry_after_cap_s", "max_attempts_per_model", "backoff_floor_ms", "backoff_base_ms",
                         "backoff_max_ms", "jitter", "rate_limit_retries", "server_error_retries",
                         "first_byte_timeout_s", "first_token_timeout_s", "stream_idle_timeout_s",
                         "request_budget_s", "content_filter", "hold_back_tokens", "hold_back_ms", "circuit"])
        var p = out.policy
        func seconds(_ key: String, min: Double) throws(ConfigError) -> Duration? {
            try f.double(key, min: min).map { Duration.seconds(double: $0) }
        }
        func millis(_ key: String) throws(ConfigError) -> Duration? {
            try f.int(key, min: 0).map { Duration.milliseconds($0) }
        }
        p.retryAfterCap = try seconds("retry_after_cap_s", min: 0) ?? p.retryAfterCap
        p.maxAttemptsPerModel = try f.int("max_attempts_per_model", min: 1) ?? p.maxAttemptsPerModel
        p.backoffFloor = try millis("backoff_floor_ms") ?? p.backoffFloor
        p.backoffBase = try millis("backoff_base_ms") ?? p.backoffBase
        p.backoffMax = try millis("backoff_max_ms") ?? p.backoffMax
        if let j = try f.double("jitter", min: 0) {
            guard j <= 1 else { throw ConfigError(field: "failover.jitter", problem: "must be at most 1, got \(j)") }
            p.jitter = j
        }
        p.rateLimitRetries = try f.int("rate_limit_retries", min: 0) ?? p.rateLimitRetries
        p.serverErrorRetries = try f.int("server_error_retries", min: 0) ?? p.serverErrorRetries
        p.firstByteTimeout = try seconds("first_byte_timeout_s", min: 0.01) ?? p.firstByteTimeout
        p.firstTokenTimeout = try seconds("first_token_timeout_s", min: 0.01) ?? p.firstTokenTimeout
        p.streamIdleTimeout = try seconds("stream_idle_timeout_s", min: 0.01) ?? p.streamIdleTimeout
        p.requestBudget = try seconds("request_budget_s", min: 0.1) ?? p.requestBudget
        if let cf = try f.string("content_filter") {
            switch cf {
            case "return": p.climbOnContentFilter = false
            case "climb": p.climbOnContentFilter = true
            default: throw ConfigError(field: "failover.content_filter", problem: "expected return or climb, got '\(cf)'")
            }
        }
        if p.backoffBase > p.backoffMax {
            throw ConfigError(field: "failover.backoff_base_ms", problem: "must not exceed backoff_max_ms")
        }
        out.policy = p
        out.holdBackTokens = try f.int("hold_back_tokens", min: 0) ?? out.holdBackTokens
        out.holdBackMs = try f.int("hold_back_ms", min: 0) ?? out.holdBackMs
        if let c = try f.child("circuit") {
            try c.allowOnly(["failure_threshold", "cool_down_s", "probe_timeout_s"])
            out.circuit.failureThreshold = try c.int("failure_threshold", min: 1) ?? out.circuit.failureThreshold
            out.circuit.coolDown = try c.double("cool_down_s", min: 0).map { Duration.seconds(double: $0) } ?? out.circuit.coolDown
            out.circuit.probeTimeout = try c.double("probe_timeout_s", min: 0.01).map { Duration.seconds(double: $0) } ?? out.circuit.probeTimeout
        }
        return out
    }
}
