import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// An upstream failure makes the request climb the ladder.
    @Suite struct FallbackTests {
        @Test func upstream503ClimbsOneTierThenAllFailingIs502() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"gpt-4o-mini": {"fail_status": 503}}"#)
            // No retry on the same model: this test is about climbing (retries have tests of their own).
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase),
                                                                 failover: "{server_error_retries: 0}"))

            let r = try await cluster.chat("What is the capital of France?")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "medium")
            #expect(r.headers["x-triage-model"] == "claude-sonnet-4-5")
            #expect(r.headers["x-triage-attempts"] == "2")
            let fallbacks = r.headers["x-triage-fallbacks"] ?? ""
            #expect(fallbacks.contains("server_error") && fallbacks.contains("503"), "x-triage-fallbacks: \(fallbacks)")
            #expect(fallbacks.contains("gpt-4o-mini"))
            #expect(try r.json()["model"]?.stringValue == "claude-sonnet-4-5")
            let usage = try r.json()["usage"]
            let cost = ClusterSpec.prices["medium"]!.cost(promptTokens: usage?["prompt_tokens"]?.intValue ?? -1,
                                                          completionTokens: usage?["completion_tokens"]?.intValue ?? -1)
            #expect(r.headers["x-triage-cost-usd"] == cost.description, "the answering tier's price")

            let attempts = try await sim.attempts()
            #expect(attempts["gpt-4o-mini"] == 1, "\(attempts)")
            #expect(attempts["claude-sonnet-4-5"] == 1, "\(attempts)")
            #expect((attempts["claude-opus-4-1"] ?? 0) == 0, "\(attempts)")

            let id = try #require(r.headers["x-triage-request-id"])
            let store = try cluster.store()
            let row = await poll(timeout: .seconds(3)) { try? store.request(id: id) }
            #expect(row?.status == 200)
            #expect(row?.attempts == 2)
            #expect(row?.tier == "medium")
            #expect(row?.attemptLog?.contains("server_error") == true, "\(row?.attemptLog ?? "nil")")

            // Every tier failing: 502 upstream_failed after trying each.
            try await sim.setBehaviours(#"{"*": {"fail_status": 503}}"#)
            try await sim.reset()
            let f = try await cluster.chat("What is the capital of France?")
            #expect(f.status == 502, "\(f.text)")
            #expect(f.errorCode == "upstream_failed", "\(f.text)")
            #expect(try f.json()["error"]?["type"]?.stringValue == "upstream_error")
            #expect(f.headers["x-triage-request-id"] != nil)
            let all = try await sim.attempts()
            #expect(all["gpt-4o-mini"] == 1 && all["claude-sonnet-4-5"] == 1 && all["claude-opus-4-1"] == 1, "\(all)")
            if let fid = f.headers["x-triage-request-id"] {
                let frow = await poll(timeout: .seconds(3)) { try? store.request(id: fid) }
                #expect(frow?.status == 502)
                #expect(frow?.attempts == 3)
            }
        }
    }
}
