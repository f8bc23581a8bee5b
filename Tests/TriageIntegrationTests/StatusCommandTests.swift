import Foundation
import Testing
import TriageCore

extension Integration {
    /// `triage status` against a real cluster: its live workers, the last reload, teams at their
    /// budgets, and exit 1 once nothing serves.
    @Suite struct StatusCommandTests {
        @Test func statusShowsWhatServesAndFailsOnceNothingDoes() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, authRequired: true))
            _ = try await cluster.cli(["team", "create", "broke", "--budget", "0"])
            _ = try await cluster.cli(["team", "create", "careful", "--budget", "1", "--soft-limit", "0.000001"])
            let key = try await cluster.createKey(team: "careful")
            let answered = try await cluster.http.post(cluster.chatURL, json: chatBody("What is the capital of France?"),
                                                       headers: ["Authorization": "Bearer \(key)"])
            #expect(answered.status == 200, "\(answered.text)")
            let reload = try await cluster.cli(["reload", "--wait", "60"])
            #expect(reload.contains("reload 1 applied"), "\(reload)")

            let text = try await cluster.cli(["status"])
            #expect(text.contains("workers      2 live of 2"), "\(text)")
            for id in ["w1", "w2"] { #expect(text.contains("  \(id)  pid "), "\(text)") }
            #expect(text.contains("config       reload 1 applied"), "\(text)")
            #expect(text.contains("circuits     all closed"), "\(text)")
            #expect(text.contains("  broke  exhausted: $0.000000000 of $0.000000000 this month"), "\(text)")
            #expect(text.contains("  careful  capped: $"), "\(text)")
            #expect(text.contains("settlements  all in the ledger"), "\(text)")

            let json = try JSONValue.parse(Array(try await cluster.cli(["status", "--json"]).utf8))
            #expect(json["live_workers"]?.intValue == 2)
            #expect(json["workers"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["w1", "w2"])
            #expect(json["workers"]?.arrayValue?.allSatisfy { $0["live"]?.boolValue == true && ($0["heartbeat_age_s"]?.doubleValue ?? 99) < 2 } == true,
                    "\(json)")
            #expect(json["last_reload"]?["status"]?.stringValue == "applied")
            #expect(json["budgets"]?.arrayValue?.compactMap { $0["team"]?.stringValue }.sorted() == ["broke", "careful"], "\(json)")
            #expect(json["schema_version"]?.intValue == 21)

            // Stopped, the cluster serves nothing, and the command says so with exit 1.
            await cluster.up.stop()
            let after = try await env.run(["status", "--config", cluster.configPath, "--data-dir", cluster.dataDir])
            #expect(after.status == 1, "\(after.output)")
            #expect(after.output.contains("0 live of 0: nothing is served"), "\(after.output)")
        }
    }
}
