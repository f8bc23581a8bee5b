import Foundation
import Testing
import TriageCore

extension Integration {
    /// Faults before any answer byte: rate limits, server errors, resets, silence, refused
    /// credentials and the request's time budget. Each test asserts what the caller got, the
    /// attempts the provider saw per model, the wall time, and that a healthy request works after.
    @Suite struct RetryFaultTests {
        typealias W = FaultWorld

        @Test func rateLimitWithRetryAfterWithinTheCapWaitsAndRetriesTheSameModel() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""fail_status": 429, "fail_first": 1, "retry_after": 1"#],
                                      failover: "{retry_after_cap_s: 2}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.simple, "same model after the wait")
            #expect(r.content == W.answer(W.simple))
            #expect(r.headers["x-triage-attempts"] == "2")
            #expect(r.headers["x-triage-fallbacks"]?.contains("rate_limited(429)") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 2, W.medium: 0, W.complex: 0])
            #expect(seconds >= 0.95 && seconds < 2.5, "waited out Retry-After: 1 once: \(seconds) s")
            try await w.expectHealthy()
        }

        @Test func rateLimitWithRetryAfterBeyondTheCapClimbsAtOnce() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""fail_status": 429, "retry_after": 30"#],
                                      failover: "{retry_after_cap_s: 2}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-fallbacks"]?.contains("rate_limited(429)") == true)
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])
            #expect(seconds < 1.5, "no wait for a Retry-After beyond the cap: \(seconds) s")
            try await w.expectHealthy()
        }

        @Test func rateLimitWithoutRetryAfterBacksOffABoundedNumberOfTimesThenClimbs() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // Backoffs: retry 1 in [100, 200] ms, retry 2 in [200, 400] ms (jitter 0.5), never under the 100 ms floor.
            let w = try await W.start(env, faults: [W.simple: #""fail_status": 429"#],
                                      failover: "{rate_limit_retries: 2, max_attempts_per_model: 3, backoff_floor_ms: 100, backoff_base_ms: 200, backoff_max_ms: 400, jitter: 0.5}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-attempts"] == "4")
            #expect(try await w.attempts() == [W.simple: 3, W.medium: 1, W.complex: 0], "one attempt plus two retries, then climb")
            #expect(seconds >= 0.3 && seconds < 1.5, "two bounded backoffs: \(seconds) s")
            try await w.expectHealthy()
        }

        @Test func serverError503RetriesOnceThenClimbs() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""fail_status": 503"#],
                                      failover: "{backoff_floor_ms: 50, backoff_base_ms: 200, jitter: 0.5}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-fallbacks"]?.contains("server_error(503)") == true)
            #expect(try await w.attempts() == [W.simple: 2, W.medium: 1, W.complex: 0])
            #expect(seconds >= 0.1 && seconds < 1.5, "one short backoff: \(seconds) s")
            try await w.expectHealthy()
        }

        @Test func connectionResetBeforeHeadersRetriesOnceThenClimbs() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""reset": true"#],
                                      failover: "{backoff_floor_ms: 50, backoff_base_ms: 200}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-fallbacks"]?.contains("reset") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 2, W.medium: 1, W.complex: 0])
            #expect(seconds < 1.5, "\(seconds) s")

            // The same through a stream: nothing reached the client, so the climb is invisible.
            try await w.setFaults([W.simple: #""reset": true"#])
            let (s, streamSeconds) = try await w.stream()
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.content == W.answer(W.medium))
            #expect(s.data.last == "[DONE]")
            #expect(s.headers["x-triage-fallbacks"] == "simple/gpt-4o-mini=reset, simple/gpt-4o-mini=reset", "\(s.headers)")
            #expect(s.trailer["x-triage-attempts"] == "3")
            // Triage made two attempts on the model; libcurl itself resends a request once when a
            // reused keep-alive connection dies before any response byte, so the provider may see three.
            let a = try await w.attempts()
            #expect((2...3).contains(a[W.simple] ?? 0) && a[W.medium] == 1 && a[W.complex] == 0, "\(a)")
            #expect(streamSeconds < 1.5)
            try await w.expectHealthy()
        }

        @Test func silentProviderHitsTheFirstByteLimitAndClimbsWithoutRetrying() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""hang": true"#], failover: "{first_byte_timeout_s: 1}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-fallbacks"]?.contains("first_byte_timeout") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0], "the silent model is not retried")
            #expect(seconds >= 0.95 && seconds < 2.0, "climbed when the 1 s limit fired: \(seconds) s")
            try await w.expectHealthy()
        }

        @Test func providerRefusingCredentialsIsNotRetriedAndTheErrorSaysItIsMisconfigured() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // The complex tier is on a second provider (the same simulated server).
            let w = try await W.start(env, faults: [W.simple: #""fail_status": 401"#], failover: "{circuit: {cool_down_s: 1}}") { spec, sim in
                spec.extraProviders["backup"] = "{kind: openai, base_url: \"\(sim.openAIBase)\"}"
                spec.tierProviders["complex"] = "backup"
            }

            // A 401 marks provider `sim` unhealthy for the request: its other tier is skipped too.
            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.complex)
            #expect(r.content == W.answer(W.complex))
            #expect(r.headers["x-triage-fallbacks"]?.contains("auth_error(401)") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 1], "no retry, no other model of that provider")
            #expect(seconds < 1.5)

            // Every provider refusing: a clean error naming the misconfiguration.
            try await w.setFaults([W.simple: #""fail_status": 401"#, W.medium: #""fail_status": 401"#, W.complex: #""fail_status": 403"#])
            let (f, failSeconds) = try await w.chat(model: "medium")
            #expect(f.status == 502, "\(f.text)")
            #expect(f.errorCode == "upstream_failed")
            let message = (try? f.json())?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("misconfigured") && message.contains("'sim'") && message.contains("'backup'"), "\(message)")
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 1, W.complex: 1])
            #expect(failSeconds < 1.5)
            #expect(w.cluster.up.logTail(100_000).contains("misconfigured"), "the log says so too")

            // The tripped circuits probe again after their cool-down and close on success.
            try await w.setFaults([:])
            let back = await poll(timeout: .seconds(4), interval: .milliseconds(200)) { () -> HTTPResult? in
                guard let (h, _) = try? await w.chat(), h.status == 200, h.headers["x-triage-model"] == W.simple else { return nil }
                return h
            }
            #expect(back?.content == W.answer(W.simple), "the simple tier serves again once its circuit closed")
            try await w.expectHealthy()
        }

        @Test func requestBudgetEndsEveryRequestInsideIt() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // The first-byte limit (30 s by default) is longer than the budget: the budget must win.
            let w = try await W.start(env, faults: [W.simple: #""hang": true"#], failover: "{request_budget_s: 1.5}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 504, "\(r.text)")
            #expect(r.errorCode == "timeout")
            #expect((try? r.json())?["error"]?["message"]?.stringValue?.contains("budget") == true, "\(r.text)")
            #expect(r.headers["x-triage-request-id"] != nil)
            #expect(seconds >= 1.4 && seconds < 2.3, "inside the 1.5 s budget (plus delivery): \(seconds) s")

            let (s, streamSeconds) = try await w.stream()
            #expect(s.status == 504, "a stream that sent nothing ends as a plain error: \(s.raw)")
            #expect(!s.sawDone)
            #expect(streamSeconds >= 1.4 && streamSeconds < 2.3, "\(streamSeconds) s")
            let a = try await w.attempts()
            #expect(a == [W.simple: 2, W.medium: 0, W.complex: 0], "\(a) \(r.headers["x-triage-fallbacks"] ?? "-") | \(s.headers["x-triage-fallbacks"] ?? "-")")
            try await w.expectHealthy()
        }
    }
}
