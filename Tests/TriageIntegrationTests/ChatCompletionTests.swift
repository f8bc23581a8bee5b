import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A request through `triage up`, its two workers and its simulated provider, whole and streamed.
    @Suite struct ChatCompletionTests {
        static let question = "What is the capital of France?"

        @Test func nonStreamAndStreamAnswersAgree() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2))

            // Non-stream.
            let r = try await cluster.chat(Self.question)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
            let json = try r.json()
            #expect(json["id"]?.stringValue?.isEmpty == false)
            #expect(json["object"]?.stringValue == "chat.completion")
            #expect(json["model"]?.stringValue == "gpt-4o-mini")
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["message"]?["role"]?.stringValue == "assistant")
            #expect(choice["message"]?["content"]?.stringValue?.isEmpty == false)
            let usage = try #require(json["usage"])
            let prompt = try #require(usage["prompt_tokens"]?.intValue)
            let completion = try #require(usage["completion_tokens"]?.intValue)
            #expect(prompt > 0)
            #expect(completion > 0)
            #expect(usage["total_tokens"]?.intValue == prompt + completion)

            let h = r.headers
            #expect(h["x-triage-tier"] == "simple")
            #expect(h["x-triage-model"] == "gpt-4o-mini")
            #expect(h["x-triage-reason"]?.isEmpty == false)
            #expect(h["x-triage-attempts"] == "1")
            #expect(h["x-triage-fallbacks"] == nil)
            #expect(["w1", "w2"].contains(h["x-triage-worker"] ?? "-"), "x-triage-worker: \(h["x-triage-worker"] ?? "nil")")
            let requestID = try #require(h["x-triage-request-id"])
            #expect(!requestID.isEmpty)
            let expectedCost = ClusterSpec.prices["simple"]!.cost(promptTokens: prompt, completionTokens: completion)
            #expect(expectedCost.nanoUSD > 0)
            #expect(h["x-triage-cost-usd"] == expectedCost.description)

            // The worker's request log row agrees (it is written right after the answer is sent).
            let store = try cluster.store()
            let row = await poll(timeout: .seconds(3)) { try? store.request(id: requestID) }
            #expect(row?.status == 200)
            #expect(row?.costNano == expectedCost.nanoUSD)
            #expect(row?.tier == "simple")
            #expect(row?.stream == false)

            // Stream of the same request.
            let s = try await cluster.http.stream(cluster.chatURL, json: chatBody(Self.question, stream: true))
            #expect(s.status == 200, "\(s.raw)")
            #expect(s.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(s.headers["x-triage-tier"] == "simple")
            #expect(s.headers["x-triage-model"] == "gpt-4o-mini")
            #expect(s.headers["x-triage-request-id"]?.isEmpty == false)
            #expect(s.headers["x-triage-request-id"] != requestID)
            #expect(s.headers["x-triage-worker"] != nil)
            #expect(!s.content.isEmpty)
            #expect(s.content == choice["message"]?["content"]?.stringValue, "the simulated answer depends only on the prompt")
            #expect(s.data.last == "[DONE]")
            #expect(s.raw.hasSuffix("data: [DONE]\n\n"))
            #expect(!s.data.contains { $0.contains("\"error\"") })
            #expect(s.chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" })
            #expect(s.trailer["x-triage-cost-usd"] == expectedCost.description, "stream trailer: \(s.comments)")
            #expect(s.trailer["x-triage-attempts"] == "1")
        }
    }
}
