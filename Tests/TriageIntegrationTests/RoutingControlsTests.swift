import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// `x-triage-dial`, `x-triage-max-tier` and the team routing policy through the real cluster.
    @Suite struct RoutingControlsTests {
        static let short = "What is the capital of France?"
        static let long = String(repeating: "Tell me about the history of the river and its towns. ", count: 12)

        @Test func dialAndMaxTierMoveTheStartingTier() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1))
            func tier(_ text: String, _ headers: [String: String]) async throws -> String? {
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody(text), headers: headers)
                #expect(r.status == 200, "\(r.text)")
                return r.headers["x-triage-tier"]
            }
            #expect(try await tier(Self.short, [:]) == "simple")
            #expect(try await tier(Self.long, [:]) == "complex")
            #expect(try await tier(Self.short, ["x-triage-dial": "1"]) == "complex", "dial 1: best quality")
            #expect(try await tier(Self.short, ["x-triage-dial": "0.75"]) == "medium")
            #expect(try await tier(Self.long, ["x-triage-dial": "0"]) == "simple", "dial 0: cheapest")
            #expect(try await tier(Self.long, ["x-triage-dial": "0.5"]) == "complex", "0.5 is neutral")
            #expect(try await tier(Self.long, ["x-triage-max-tier": "medium"]) == "medium")
            let r = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.long, model: "complex"), headers: ["x-triage-max-tier": "simple"])
            #expect(r.headers["x-triage-tier"] == "simple", "a named tier is capped too")
            #expect(r.headers["x-triage-reason"]?.contains("capped at simple") == true, "\(r.headers)")

            for (name, value) in [("x-triage-dial", "1.5"), ("x-triage-dial", "cheap"), ("x-triage-max-tier", "huge")] {
                let bad = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.short), headers: [name: value])
                #expect(bad.status == 400, "\(name): \(value)")
                let error = try bad.json()["error"]
                #expect(error?["type"]?.stringValue == "invalid_request_error")
                #expect(error?["param"]?.stringValue == name)
            }
        }

        @Test func theMaxTierCapsTheClimb() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, failover: "{server_error_retries: 0}"))
            let set = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                  body: Array(#"{"gpt-4o-mini": {"fail_status": 503}}"#.utf8))
            #expect(set.status == 200)
            let free = try await cluster.chat(Self.short)
            #expect(free.status == 200)
            #expect(free.headers["x-triage-tier"] == "medium", "climbs past the failing tier")
            let capped = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.short), headers: ["x-triage-max-tier": "simple"])
            #expect(capped.status >= 500, "no tier left under the cap: \(capped.text)")
            #expect(capped.headers["x-triage-tier"] ?? "simple" == "simple")
        }

        /// A team cap naming an unknown tier is refused when set; one left naming a tier the config
        /// no longer has caps the team at the cheapest tier (a spend cap must not vanish), and each
        /// worker warns about it once.
        @Test func aTeamCapNamingAnUnknownTierIsRefusedAndAStaleOneCapsAtTheCheapest() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "admin-" + UUID().uuidString
            var spec = ClusterSpec(workers: 1)
            spec.authRequired = true
            spec.environment = ["TRIAGE_ADMIN_KEY": adminKey]
            let cluster = try await env.startCluster(spec)
            func cli(_ args: [String]) async throws -> (status: Int32, output: String) {
                try await env.run(args + ["--config", cluster.configPath, "--data-dir", cluster.dataDir])
            }
            _ = try await cli(["team", "create", "search"])
            let key = try #require(try await cli(["key", "create", "--team", "search"]).output.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })

            // Refused when set, naming the tiers there are.
            let refused = try await cli(["team", "policy", "search", "--max-tier", "large"])
            #expect(refused.status != 0)
            #expect(refused.output.contains("simple, medium, complex") && refused.output.contains("large"), "\(refused.output)")
            let put = try await cluster.http.request("PUT", cluster.base + "/admin/teams/search/routing", json: .object(["max_tier": .string("large")]),
                                                     headers: ["Authorization": "Bearer \(adminKey)"])
            #expect(put.status == 400)
            let error = try put.json()["error"]
            #expect(error?["param"]?.stringValue == "max_tier")
            #expect(error?["message"]?.stringValue?.contains("simple, medium, complex") == true, "\(put.text)")

            // Set when `large` was a tier, then the config changed: the store holds a stale cap.
            #expect(try cluster.store().setRoutingPolicy(team: "search", TeamRoutingPolicy(maxTier: "large")))
            for _ in 0..<3 {
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.long), headers: ["Authorization": "Bearer \(key)"])
                #expect(r.status == 200, "\(r.text)")
                #expect(r.headers["x-triage-tier"] == "simple", "the long query (complex) is capped at the cheapest tier: \(r.headers)")
                #expect(r.headers["x-triage-reason"]?.contains("max_tier 'large' is not a tier: the cheapest applies") == true, "\(r.headers)")
            }
            let shown = try await cli(["team", "policy", "search"]).output
            #expect(shown.contains("max tier large (not a configured tier: the team is capped at the cheapest, simple)"), "\(shown)")
            let log = try String(contentsOfFile: env.dir.file("up.log"), encoding: .utf8)
            let warnings = log.split(separator: "\n").filter { $0.contains("max_tier is not a configured tier") }
            #expect(warnings.count == 1, "warned once: \(warnings)")
        }

        @Test func theTeamPolicyBoundsTheDial() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "admin-" + UUID().uuidString
            var spec = ClusterSpec(workers: 1, authRequired: true, environment: ["TRIAGE_ADMIN_KEY": adminKey])
            spec.aliases = "{gpt-4: complex, gpt-4o: auto}"
            let cluster = try await env.startCluster(spec)
            let key = try await cluster.createTeamAndKey("search")
            let cli = cluster.cli
            /// The model ids `/v1/models` lists to the team's key.
            func listed() async throws -> [String] {
                let r = try await cluster.http.get(cluster.base + "/v1/models", headers: ["Authorization": "Bearer \(key)"])
                #expect(r.status == 200, "\(r.text)")
                return try (r.json()["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            }
            let everything = ["auto", "simple", "medium", "complex", "gpt-4o-mini", "claude-sonnet-4-5", "claude-opus-4-1", "gpt-4", "gpt-4o"]
            #expect(try await listed() == everything)
            func tier(_ text: String, _ headers: [String: String] = [:]) async throws -> String? {
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody(text), headers: headers.merging(["Authorization": "Bearer \(key)"]) { a, _ in a })
                #expect(r.status == 200, "\(r.text)")
                return r.headers["x-triage-tier"]
            }
            #expect(try await tier(Self.short, ["x-triage-dial": "1"]) == "complex")

            let out = try await cli(["team", "policy", "search", "--dial", "0.25", "--dial-max", "0.5", "--max-tier", "medium"])
            #expect(out.contains("dial 0.25") && out.contains("max tier medium"), "\(out)")
            // Policies are re-read within two seconds.
            let applied = await eventually(timeout: .seconds(5), interval: .milliseconds(200)) {
                (try? await tier(Self.long)) == "medium"
            }
            #expect(applied, "the team default dial 0.25 moves the long query down one tier")
            #expect(try await tier(Self.short, ["x-triage-dial": "1"]) == "simple", "dial held to the team's 0.5")
            #expect(try await tier(Self.long, ["x-triage-dial": "1"]) == "medium", "and capped at medium")
            #expect(try await tier(Self.long, ["x-triage-max-tier": "complex"]) == "medium", "a request cannot lift the team's cap")
            // The models list shows what the team can reach: nothing above its cap.
            #expect(try await listed() == ["auto", "simple", "medium", "gpt-4o-mini", "claude-sonnet-4-5", "gpt-4o"])
            let above = try await cluster.http.get(cluster.base + "/v1/models/complex", headers: ["Authorization": "Bearer \(key)"])
            #expect(above.status == 404 && above.errorCode == "model_not_found", "\(above.text)")

            // The admin API reads and replaces the same policy.
            let admin = ["Authorization": "Bearer \(adminKey)"]
            let got = try await cluster.http.get(cluster.base + "/admin/teams/search/routing", headers: admin)
            #expect(try got.json()["max_tier"]?.stringValue == "medium")
            let bad = try await cluster.http.request("PUT", cluster.base + "/admin/teams/search/routing", json: .object(["dial_min": .double(0.8), "dial_max": .double(0.2)]), headers: admin)
            #expect(bad.status == 400)
            let badTier = try await cluster.http.request("PUT", cluster.base + "/admin/teams/search/routing", json: .object(["max_tier": .string("huge")]), headers: admin)
            #expect(badTier.status == 400)
            let cleared = try await cluster.http.request("PUT", cluster.base + "/admin/teams/search/routing", json: .object([:]), headers: admin)
            #expect(cleared.status == 200)
            let free = await eventually(timeout: .seconds(5), interval: .milliseconds(200)) {
                (try? await tier(Self.short, ["x-triage-dial": "1"])) == "complex"
            }
            #expect(free)
            #expect(try await listed() == everything, "no cap, every model again")
            let missing = try await cluster.http.get(cluster.base + "/admin/teams/nobody/routing", headers: admin)
            #expect(missing.status == 404)
        }
    }
}
