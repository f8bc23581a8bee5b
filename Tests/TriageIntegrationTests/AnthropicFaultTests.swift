import Foundation
import Testing
import TriageCore

extension Integration {
    /// A tier on `kind: anthropic`, served by the simulated provider's Messages API, through the
    /// whole cluster: answers in OpenAI's shape, stream and not, and Anthropic's 529 climbing.
    @Suite struct AnthropicFaultTests {
        typealias W = FaultWorld

        /// The medium tier on the Anthropic adapter; the others stay on the OpenAI-compatible one.
        static func anthropicMedium(_ spec: inout ClusterSpec, _ sim: Sim) {
            spec.extraProviders["anthropic"] = "{kind: anthropic, base_url: \"\(sim.base)\"}"
            spec.tierProviders["medium"] = "anthropic"
        }

        @Test func anthropicTierAnswersStreamAndNonStreamInOpenAIShape() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, configure: Self.anthropicMedium)

            let (r, seconds) = try await w.chat(model: "medium")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.medium)
            let json = try r.json()
            #expect(json["object"]?.stringValue == "chat.completion")
            #expect(json["model"]?.stringValue == W.medium)
            #expect(r.content == W.answer(W.medium))
            #expect(json["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop", "end_turn becomes stop")
            #expect(json["usage"]?["completion_tokens"]?.intValue == W.answerTokens, "Anthropic's output_tokens: \(json["usage"].map { "\($0)" } ?? "nil")")
            let prompt = json["usage"]?["prompt_tokens"]?.intValue ?? -1
            #expect(prompt > 0)
            let cost = ClusterSpec.prices["medium"]!.cost(promptTokens: prompt, completionTokens: W.answerTokens)
            #expect(r.headers["x-triage-cost-usd"] == cost.description)
            #expect(seconds < 1.5)

            let (s, sSeconds) = try await w.stream(model: "medium", includeUsage: true)
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.medium)
            #expect(s.content == W.answer(W.medium), "content_block_delta events as OpenAI chunks: \(s.content)")
            #expect(s.chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" }, "\(s.data)")
            #expect(s.chunks.contains { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop" })
            let usage = s.chunks.compactMap { $0["usage"] }.last
            #expect(usage?["completion_tokens"]?.intValue == W.answerTokens, "message_delta usage: \(usage.map { "\($0)" } ?? "nil")")
            #expect(usage?["prompt_tokens"]?.intValue == prompt)
            #expect(s.trailer["x-triage-cost-usd"] == cost.description, "\(s.comments)")
            #expect(s.data.last == "[DONE]")
            #expect(sSeconds < 1.5)
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 2, W.complex: 0])

            // n choices from a tier whose API gives one a call: n calls, one answer, charged for all.
            try await w.sim.reset()
            var two = chatBody(W.question, model: "medium")
            two["n"] = .int(2)
            let n = try await w.cluster.http.post(w.cluster.chatURL, json: two)
            #expect(n.status == 200, "\(n.text)")
            let choices = try n.json()["choices"]?.arrayValue ?? []
            #expect(choices.map { $0["index"]?.intValue } == [0, 1])
            #expect(choices.allSatisfy { $0["message"]?["content"]?.stringValue == W.answer(W.medium) }, "\(n.text)")
            #expect(n.headers["x-triage-cost-usd"] == ClusterSpec.prices["medium"]!.cost(promptTokens: 2 * prompt, completionTokens: 2 * W.answerTokens).description)
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 2, W.complex: 0], "two calls, one attempt")
            two["stream"] = .bool(true)
            let ns = try await w.cluster.http.stream(w.cluster.chatURL, json: two)
            #expect(ns.status == 200 && ns.sawDone && ns.errorEvent == nil, "\(ns.raw)")
            let texts = ns.textsByChoice
            #expect(texts == [0: W.answer(W.medium), 1: W.answer(W.medium)], "\(texts)")
            #expect(ns.trailer["x-triage-cost-usd"] == n.headers["x-triage-cost-usd"], "\(ns.comments)")

            // Choices that finish apart: the stream waits for the slower one (1.5 s after the first
            // finished, longer than the worker's 1 s of quiet after a finish reason).
            try await w.setFaults([W.medium: #""ttft_cycle_ms": [0, 1500]"#])
            let apart = try await w.cluster.http.stream(w.cluster.chatURL, json: two)
            #expect(apart.status == 200 && apart.sawDone && apart.errorEvent == nil, "\(apart.raw)")
            #expect(apart.textsByChoice == texts, "\(apart.textsByChoice)")
            #expect(apart.trailer["x-triage-cost-usd"] == n.headers["x-triage-cost-usd"], "\(apart.comments)")

            // An Anthropic stream cut after content was sent ends like an OpenAI one: error event, no [DONE].
            try await w.setFaults([W.medium: #""cut_after_tokens": 4, "tpot_ms": 10"#])
            let (c, _) = try await w.stream(model: "medium")
            #expect(c.status == 200)
            #expect(!c.sawDone)
            #expect(c.errorEvent?["code"]?.stringValue == "stream_interrupted", "\(c.data.last ?? "nil")")
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 1, W.complex: 0])
            try await w.expectHealthy()
        }

        @Test func anthropicOverloaded529RetriesOnceThenClimbs() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.medium: #""fail_status": 529"#],
                                      failover: "{backoff_floor_ms: 50, backoff_base_ms: 200}", configure: Self.anthropicMedium)

            let (r, seconds) = try await w.chat(model: "medium")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-model"] == W.complex)
            #expect(r.content == W.answer(W.complex))
            #expect(r.headers["x-triage-fallbacks"]?.contains("server_error(529)") == true, "\(r.headers)")
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 2, W.complex: 1], "529 is retried once like a 503")
            #expect(seconds < 1.5)

            let (s, sSeconds) = try await w.stream(model: "medium")
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["x-triage-model"] == W.complex)
            #expect(s.content == W.answer(W.complex))
            #expect(s.data.last == "[DONE]")
            #expect(sSeconds < 1.5)
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 4, W.complex: 2])
            try await w.expectHealthy()
        }
    }
}
