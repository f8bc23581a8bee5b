import Foundation
import Testing
import TriageCore

@Suite struct FailoverConfigTests {
    static let base = """
    providers:
      sim: {kind: sim, port: 8090}
    tiers:
      - {name: simple, provider: sim, model: a, input_per_mtok: 1, output_per_mtok: 1, context_window: 8192}
      - {name: complex, provider: sim, model: b, input_per_mtok: 1, output_per_mtok: 1}
    """

    @Test func defaultsWhenAbsent() throws {
        let config = try ConfigLoader.load(yaml: Self.base)
        #expect(config.failover == FailoverConfig())
        #expect(config.failover.policy.retryAfterCap == .seconds(5))
        #expect(config.failover.policy.firstByteTimeout == .seconds(30))
        #expect(config.failover.policy.streamIdleTimeout == .seconds(15))
        #expect(config.tiers.map(\.contextWindow) == [8192, nil])
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigLoader.load(yaml: Self.base + """

        failover:
          retry_after_cap_s: 2.5
          max_attempts_per_model: 4
          backoff_floor_ms: 100
          backoff_base_ms: 200
          backoff_max_ms: 800
          jitter: 0.25
          rate_limit_retries: 1
          server_error_retries: 0
          first_byte_timeout_s: 3
          first_token_timeout_s: 4
          stream_idle_timeout_s: 2
          request_budget_s: 20
          content_filter: climb
          hold_back_tokens: 8
          hold_back_ms: 150
          circuit: {failure_threshold: 2, cool_down_s: 1.5, probe_timeout_s: 9}
        """)
        let p = config.failover.policy
        #expect(p == FailoverPolicy(retryAfterCap: .milliseconds(2500), maxAttemptsPerModel: 4, backoffFloor: .milliseconds(100),
                                    backoffBase: .milliseconds(200), backoffMax: .milliseconds(800), jitter: 0.25,
                                    rateLimitRetries: 1, serverErrorRetries: 0, firstByteTimeout: .seconds(3),
                                    firstTokenTimeout: .seconds(4), streamIdleTimeout: .seconds(2), requestBudget: .seconds(20),
                                    climbOnContentFilter: true))
        #expect(config.failover.circuit == CircuitPolicy(failureThreshold: 2, coolDown: .milliseconds(1500), probeTimeout: .seconds(9)))
        #expect(config.failover.holdBackTokens == 8)
        #expect(config.failover.holdBackMs == 150)
    }

    @Test func badValuesNameTheField() {
        func problem(_ extra: String) -> String? {
            do {
                _ = try ConfigLoader.load(yaml: Self.base + "\n" + extra)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem("failover: {retry_after_cap: 5}")?.contains("failover.retry_after_cap: unknown key") == true)
        #expect(problem("failover: {content_filter: maybe}")?.contains("failover.content_filter") == true)
        #expect(problem("failover: {jitter: 2}")?.contains("failover.jitter") == true)
        #expect(problem("failover: {circuit: {failure_threshold: 0}}")?.contains("failover.circuit.failure_threshold") == true)
        #expect(problem("failover: {backoff_base_ms: 5000}")?.contains("failover.backoff_base_ms") == true)
    }

    @Test func contextWindowMustBePositive() {
        let yaml = Self.base.replacingOccurrences(of: "context_window: 8192", with: "context_window: 0")
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: yaml) }
    }
}
