import Testing
import TriageCore

extension Integration {
    /// Clients that name a model keep their code: `aliases` maps their names onto `auto`, a tier or
    /// a configured model.
    @Suite struct ModelAliasTests {
        @Test func aRequestNamingAnAliasIsRoutedAsItsTarget() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, aliases: "{gpt-4o: auto, gpt-4: complex}"))

            // An alias of auto: the classifier decides (a short question goes to the cheapest tier).
            let routed = try await cluster.chat("What is the capital of France?", model: "gpt-4o")
            #expect(routed.status == 200, "\(routed.text)")
            #expect(routed.headers["x-triage-tier"] == "simple", "\(routed.headers)")
            #expect(routed.headers["x-triage-reason"]?.hasPrefix("rules:") == true, "\(routed.headers["x-triage-reason"] ?? "nil")")

            // An alias of a tier starts there, says so, and the answer names the model that wrote it.
            let fixed = try await cluster.chat("What is the capital of France?", model: "gpt-4")
            #expect(fixed.status == 200, "\(fixed.text)")
            #expect(fixed.headers["x-triage-tier"] == "complex", "\(fixed.headers)")
            #expect(fixed.headers["x-triage-reason"] == "tier 'complex' requested (as 'gpt-4')", "\(fixed.headers["x-triage-reason"] ?? "nil")")
            #expect(try fixed.json()["model"]?.stringValue == "claude-opus-4-1")

            // The aliases are listed and retrievable; other names are still unknown.
            let list = try await cluster.http.get(cluster.base + "/v1/models")
            let listed = try list.json()["data"]?.arrayValue ?? []
            #expect(listed.first { $0["id"]?.stringValue == "gpt-4o" }?["description"]?.stringValue == "alias of auto", "\(list.text)")
            #expect(try await cluster.http.get(cluster.base + "/v1/models/gpt-4").status == 200)
            let unknown = try await cluster.chat("What is the capital of France?", model: "gpt-5")
            #expect(unknown.status == 404 && unknown.errorCode == "model_not_found", "\(unknown.text)")
        }
    }
}
