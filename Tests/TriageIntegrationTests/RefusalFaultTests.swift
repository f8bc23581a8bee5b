import Foundation
import Testing
import TriageCore

extension Integration {
    /// A provider's 400 refusals: the context window (climb to a tier that fits, else a clean 400)
    /// and content policy (the provider's reason by default, or a climb when configured). Neither
    /// is retried on the model that refused.
    @Suite struct RefusalFaultTests {
        typealias W = FaultWorld

        @Test func contextLengthExceededClimbsToTheFirstTierWhoseWindowFitsElseAClean400() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // The medium tier's window is smaller than the simple one's: a refusal by simple skips it.
            let w = try await W.start(env, faults: [W.simple: #""fail_code": "context_length_exceeded""#]) { spec, _ in
                spec.contextWindows = ["simple": 8000, "medium": 4000, "complex": 200_000]
            }

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.complex)
            #expect(r.content == W.answer(W.complex))
            #expect(r.headers["x-triage-fallbacks"]?.contains("context_length_exceeded(400)") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 1], "no retry; the too-small medium window is skipped")
            #expect(seconds < 1.5)

            // No window fits: a clean 400 in OpenAI's shape.
            try await w.setFaults([W.simple: #""fail_code": "context_length_exceeded""#,
                                   W.complex: #""fail_code": "context_length_exceeded""#])
            let (f, fSeconds) = try await w.chat()
            #expect(f.status == 400, "\(f.text)")
            #expect(f.errorCode == "context_length_exceeded")
            #expect((try? f.json())?["error"]?["type"]?.stringValue == "invalid_request_error")
            #expect((try? f.json())?["error"]?["message"]?.stringValue?.contains("200000") == true, "names the largest window: \(f.text)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 1])
            #expect(fSeconds < 1.5)

            let (s, _) = try await w.stream()
            #expect(s.status == 400, "a stream that sent nothing gets the same clean 400: \(s.raw)")
            #expect(!s.sawDone)
            try await w.expectHealthy()
        }

        @Test func contentPolicyRefusalReturnsTheProvidersReasonByDefault() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""fail_code": "content_policy_violation""#])

            let (r, seconds) = try await w.chat()
            #expect(r.status == 400, "\(r.text)")
            #expect(r.errorCode == "content_policy_violation")
            let message = (try? r.json())?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("safety system"), "the provider's own reason: \(message)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 0], "neither retried nor climbed")
            #expect(seconds < 1.5)

            let (s, _) = try await w.stream()
            #expect(s.status == 400, "\(s.raw)")
            #expect(s.raw.contains("safety system"))
            #expect(!s.sawDone)
            try await w.expectHealthy()
        }

        @Test func contentPolicyRefusalClimbsWhenConfigured() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""fail_code": "content_policy_violation""#],
                                      failover: "{content_filter: climb}")

            let (r, seconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(r.headers["x-triage-fallbacks"]?.contains("content_filter(400)") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])
            #expect(seconds < 1.5)
            try await w.expectHealthy()
        }
    }
}
