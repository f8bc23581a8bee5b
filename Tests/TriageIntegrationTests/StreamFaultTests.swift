import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Faults of an answer in flight: a slow first token, a cut, a stall, a malformed event, a
    /// missing `[DONE]`. Nothing truncated is ever presented as a success: a fault before any
    /// content reached the client climbs invisibly; one after ends with an error event and no `[DONE]`.
    @Suite struct StreamFaultTests {
        typealias W = FaultWorld

        /// The first `n` tokens of a model's answer (words with their leading space).
        static func prefix(_ model: String, tokens n: Int) -> String {
            var out = ""
            var words = 0
            for ch in W.answer(model) {
                if ch == " " {
                    words += 1
                    if words == n { break }
                }
                out.append(ch)
            }
            return out
        }

        @Test func slowFirstTokenClimbsWhenTheFirstTokenLimitFires() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""ttft_ms": 4000"#], failover: "{first_token_timeout_s: 1}")

            let (s, seconds) = try await w.stream()
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.medium)
            #expect(s.content == W.answer(W.medium), "complete, and nothing of the slow model: \(s.content)")
            #expect(s.data.last == "[DONE]")
            #expect(s.errorEvent == nil)
            #expect(s.headers["x-triage-fallbacks"]?.contains("first_token_timeout") == true, "\(s.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])
            #expect(seconds >= 0.95 && seconds < 2.0, "climbed when the 1 s limit fired: \(seconds) s")
            try await w.expectHealthy(stream: true)
        }

        @Test func streamCutBeforeAnythingReachedTheClientClimbsInvisibly() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""cut_after_tokens": 3, "tpot_ms": 10"#], failover: "{hold_back_tokens: 5}")

            let (s, seconds) = try await w.stream()
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.medium)
            #expect(s.content == W.answer(W.medium), "the next tier's whole answer, none of the cut one: \(s.content)")
            #expect(s.data.last == "[DONE]")
            #expect(s.trailer["x-triage-attempts"] == "2", "\(s.comments)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])
            #expect(seconds < 1.5, "\(seconds) s")

            // Non-stream: a body cut mid-way is a failure, never a truncated 200.
            try await w.setFaults([W.simple: #""cut_after_tokens": 3"#])
            let (r, rSeconds) = try await w.chat()
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            #expect(r.content == W.answer(W.medium))
            let a = try await w.attempts()
            #expect(a[W.medium] == 1 && a[W.complex] == 0, "\(a)")
            #expect(a[W.simple] == 1, "a cut after the response started is not retried on the same model: \(a)")
            #expect(rSeconds < 1.5)
            try await w.expectHealthy(stream: true)
        }

        @Test func streamCutAfterContentReachedTheClientEndsWithAnErrorEventAndNoDone() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""cut_after_tokens": 4, "tpot_ms": 10"#])

            let (s, seconds) = try await w.stream()
            #expect(s.status == 200, "the stream had started: \(s.raw)")
            #expect(s.headers["x-triage-model"] == W.simple)
            #expect(s.content == Self.prefix(W.simple, tokens: 4), "what was relayed before the cut: \(s.content)")
            #expect(!s.sawDone, "no [DONE] after a failure: \(s.data)")
            #expect(s.errorEvent?["code"]?.stringValue == "stream_interrupted", "\(s.data.last ?? "nil")")
            #expect(s.chunks.allSatisfy { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == nil }, "no finish reason")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 0], "no climb once content was sent")
            #expect(seconds < 1.5, "\(seconds) s")
            // The client is told what the failed request was charged (a comment before the error event, as
            // before [DONE]), and it is what the ledger holds.
            let charged = try #require(Money(decimalString: s.trailer["x-triage-cost-usd"] ?? ""), "no cost comment: \(s.raw)")
            #expect(try w.cluster.store().ledgerTotalNano() == charged.nanoUSD)
            try await w.expectHealthy(stream: true)
        }

        @Test func streamStallClimbsWhileHeldBackAndErrorsOnceContentWasSent() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""stall_after_tokens": 2, "stall_ms": 5000"#],
                                      failover: "{stream_idle_timeout_s: 1, hold_back_tokens: 5}")

            // Stalled inside the held-back part: the client sees only the next tier's answer.
            let (s, seconds) = try await w.stream()
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.medium)
            #expect(s.content == W.answer(W.medium), "\(s.content)")
            #expect(s.data.last == "[DONE]")
            #expect(s.headers["x-triage-fallbacks"]?.contains("stream_stalled") == true, "\(s.headers)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])
            #expect(seconds >= 0.95 && seconds < 2.0, "climbed when the 1 s idle limit fired: \(seconds) s")

            // Stalled after 8 tokens, 5 past the hold-back: an error event, no [DONE].
            try await w.setFaults([W.simple: #""stall_after_tokens": 8, "stall_ms": 5000"#])
            let (e, eSeconds) = try await w.stream()
            #expect(e.status == 200)
            #expect(e.content == Self.prefix(W.simple, tokens: 8), "\(e.content)")
            #expect(!e.sawDone)
            #expect(e.errorEvent?["code"]?.stringValue == "stream_interrupted", "\(e.data.last ?? "nil")")
            #expect((e.errorEvent?["message"]?.stringValue ?? "").contains("stream_stalled"), "\(e.data.last ?? "nil")")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 0])
            #expect(eSeconds >= 0.95 && eSeconds < 2.0, "\(eSeconds) s")
            try await w.expectHealthy(stream: true)
        }

        @Test func malformedEventIsSkippedAndTheStreamStillSucceeds() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""malformed_after_tokens": 3"#])

            let (s, seconds) = try await w.stream(includeUsage: true)
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.simple)
            #expect(s.content == W.answer(W.simple), "every good event relayed: \(s.content)")
            #expect(s.data.last == "[DONE]")
            #expect(s.errorEvent == nil)
            #expect(!s.raw.contains("\"choices\":[{\"delta\":\n"), "the malformed event is not relayed")
            #expect(s.data.filter { $0 != "[DONE]" }.allSatisfy { (try? JSONValue.parse(Array($0.utf8))) != nil }, "only JSON events reach the client")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 0])
            #expect(seconds < 1.5)
            #expect(w.cluster.up.logTail(100_000).contains("malformed"), "skipped events are logged")
            try await w.expectHealthy(stream: true)
        }

        @Test func streamWithoutDoneButCompleteFinishesPromptlyWithUsage() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""omit_done": true"#])

            let (s, seconds) = try await w.stream(includeUsage: true)
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.content == W.answer(W.simple))
            #expect(s.data.last == "[DONE]", "the client's stream ends properly")
            let usage = s.chunks.compactMap { $0["usage"] }.last
            #expect(usage?["completion_tokens"]?.intValue == W.answerTokens, "the provider's exact usage: \(usage.map { "\($0)" } ?? "nil")")
            #expect((usage?["prompt_tokens"]?.intValue ?? 0) > 0)
            let cost = ClusterSpec.prices["simple"]!.cost(promptTokens: usage?["prompt_tokens"]?.intValue ?? -1, completionTokens: W.answerTokens)
            #expect(s.trailer["x-triage-cost-usd"] == cost.description, "\(s.comments)")
            #expect(seconds < 1.0, "no waiting for a [DONE] that never comes: \(seconds) s")

            // Without include_usage the client gets no usage chunk, but the request is still priced exactly.
            let (p, pSeconds) = try await w.stream()
            #expect(p.status == 200)
            #expect(p.content == W.answer(W.simple))
            #expect(p.data.last == "[DONE]")
            #expect(!p.chunks.contains { $0["usage"] != nil && $0["usage"] != .null })
            #expect(p.trailer["x-triage-cost-usd"] == cost.description)
            #expect(pSeconds < 1.0)
            let id = try #require(p.headers["x-triage-request-id"])
            let store = try w.cluster.store()
            let row = await poll(timeout: .seconds(3)) { try? store.request(id: id) }
            #expect(row?.status == 200)
            #expect(row?.completionTokens == W.answerTokens)
            #expect(row?.usageEstimated == false)
            #expect(try await w.attempts() == [W.simple: 2, W.medium: 0, W.complex: 0])
            try await w.expectHealthy(stream: true)
        }
    }
}
