import Foundation
import Testing
import TriageCore

extension Integration {
    /// An operator looks a request up by the `x-triage-request-id` of its answer: where it went, why,
    /// each attempt (with the provider's own id for it) and what it cost, through the admin API and
    /// `triage requests`.
    @Suite struct RequestLookupTests {
        @Test func aClimbedRequestIsFoundByItsIdWithEachAttemptAndItsCost() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"gpt-4o-mini": {"fail_status": 503}}"#)
            let adminKey = "admin-" + UUID().uuidString
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase),
                                                                 failover: "{server_error_retries: 0}", authRequired: true,
                                                                 environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            let admin = ["Authorization": "Bearer \(adminKey)"]
            _ = try await cluster.cli(["team", "create", "research"])
            _ = try await cluster.cli(["team", "create", "support"])
            let research = try await cluster.createKey(team: "research")
            let support = try await cluster.createKey(team: "support")
            let body = chatBody("What is the capital of France?")
            let climbed = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(research)"])
            #expect(climbed.status == 200, "\(climbed.text)")
            #expect(climbed.headers["x-triage-tier"] == "medium")
            let other = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(support)"])
            #expect(other.status == 200, "\(other.text)")
            let id = try #require(climbed.headers["x-triage-request-id"])
            #expect(climbed.headers["x-request-id"] == id, "OpenAI's SDKs read a response's id from x-request-id")

            // The log's rows are committed in batches: within a second of the answer.
            var found: HTTPResult?
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                let r = try await cluster.http.get(cluster.base + "/admin/requests/\(id)", headers: admin)
                if r.status == 200 { found = r; break }
                #expect(r.status == 404, "\(r.text)")
                try await Task.sleep(for: .milliseconds(50))
            }
            let row = try #require(try found?.json(), "request \(id) never appeared in the request log")
            #expect(row["id"]?.stringValue == id)
            #expect(row["team"]?.stringValue == "research")
            #expect(row["tier"]?.stringValue == "medium")
            #expect(row["model"]?.stringValue == climbed.headers["x-triage-model"])
            #expect(row["cost_usd"]?.stringValue == climbed.headers["x-triage-cost-usd"])
            #expect(row["status"]?.intValue == 200)
            #expect(row["reason"]?.stringValue?.isEmpty == false)
            let attempts = try #require(row["attempts"]?.arrayValue, "\(row)")
            #expect(attempts.map { "\($0["tier"]?.stringValue ?? "?")=\($0["outcome"]?.stringValue ?? "?")" } == ["simple=server_error", "medium=ok"])
            #expect(attempts.first?["status"]?.intValue == 503)
            // Each attempt keeps the provider's own id for the call (its x-request-id), failed ones too.
            let providerIDs = attempts.compactMap { $0["provider_request_id"]?.stringValue }
            #expect(providerIDs.count == 2 && Set(providerIDs).count == 2 && providerIDs.allSatisfy { $0.hasPrefix("req_sim_") }, "\(attempts)")

            // A team's list holds its own requests only, newest first.
            let otherID = try #require(other.headers["x-triage-request-id"])
            var listed: [String] = []
            while ContinuousClock.now < deadline {
                let list = try await cluster.http.get(cluster.base + "/admin/requests?team=support&limit=5", headers: admin)
                #expect(list.status == 200, "\(list.text)")
                listed = (try list.json()).arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                if !listed.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(listed == [otherID])

            // Clear errors in OpenAI's shape; the admin key is required.
            let missing = try await cluster.http.get(cluster.base + "/admin/requests/no-such-request", headers: admin)
            #expect(missing.status == 404)
            #expect((try missing.json())["error"]?["message"]?.stringValue?.contains("no-such-request") == true, "\(missing.text)")
            let badLimit = try await cluster.http.get(cluster.base + "/admin/requests?limit=many", headers: admin)
            #expect(badLimit.status == 400)
            #expect((try badLimit.json())["error"]?["param"]?.stringValue == "limit" || badLimit.text.contains("limit"), "\(badLimit.text)")
            let noTeam = try await cluster.http.get(cluster.base + "/admin/requests?team=nobody", headers: admin)
            #expect(noTeam.status == 404)
            let anonymous = try await cluster.http.get(cluster.base + "/admin/requests/\(id)")
            #expect(anonymous.status == 401)

            // The CLI reads the same rows.
            let shown = try await cluster.cli(["requests", id])
            #expect(shown.contains("team     research"), "\(shown)")
            #expect(shown.contains("1. simple/gpt-4o-mini server_error 503"), "\(shown)")
            #expect(shown.contains("[provider request \(providerIDs.first ?? "?")]"), "\(shown)")
            #expect(shown.contains("2. medium/\(climbed.headers["x-triage-model"] ?? "?") ok"), "\(shown)")
            #expect(shown.contains("cost     $\(climbed.headers["x-triage-cost-usd"] ?? "?")"), "\(shown)")
            let json = try JSONValue.parse(Array(try await cluster.cli(["requests", "--team", "research", "--json"]).utf8))
            #expect(json.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])

            // A streamed answer's attempts keep the provider's id too (read from the stream's head).
            let streamed = try await cluster.http.stream(cluster.chatURL, json: chatBody("What is the capital of Spain?", stream: true),
                                                         headers: ["Authorization": "Bearer \(research)"])
            #expect(streamed.status == 200 && streamed.sawDone, "\(streamed.raw)")
            let streamedID = try #require(streamed.headers["x-triage-request-id"])
            var streamedAttempts: [JSONValue] = []
            let again = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < again, streamedAttempts.isEmpty {
                let r = try await cluster.http.get(cluster.base + "/admin/requests/\(streamedID)", headers: admin)
                streamedAttempts = (try? r.json())?["attempts"]?.arrayValue ?? []
                if streamedAttempts.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(streamedAttempts.last?["outcome"]?.stringValue == "ok", "\(streamedAttempts)")
            #expect(streamedAttempts.allSatisfy { $0["provider_request_id"]?.stringValue?.hasPrefix("req_sim_") == true }, "\(streamedAttempts)")
        }
    }
}
