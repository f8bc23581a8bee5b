import Foundation
import Testing
import TriageCore

extension Integration {
    /// Spend within a team through the real cluster: each ledger row names the key that made the
    /// request and the end user in its `user` field, and `triage spend --by key|user` adds them up
    /// to what the clients were charged.
    @Suite struct SpendAttributionTests {
        @Test func spendIsReportedByKeyAndEndUserAsClientsWereCharged() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, authRequired: true))
            _ = try await cluster.cli(["team", "create", "apps"])
            let web = try await cluster.createKey(team: "apps")
            let batch = try await cluster.createKey(team: "apps")
            func body(_ user: String?) -> JSONValue {
                var b = chatBody("Summarise the plot of Hamlet in two sentences.").objectValue ?? [:]
                if let user { b["user"] = .string(user) }
                return .object(b)
            }
            var charged: [String: Int64] = [:]  // by "key/user"
            for (key, user) in [(web, "alice"), (web, "bob"), (web, "alice"), (batch, nil), (batch, "alice")] {
                let r = try await cluster.http.post(cluster.chatURL, json: body(user), headers: ["Authorization": "Bearer \(key)"])
                #expect(r.status == 200, "\(r.text)")
                let cost = try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
                charged["\(String(key.split(separator: "_")[1]))/\(user ?? "-")", default: 0] += cost.nanoUSD
            }
            func total(_ match: (String) -> Bool) -> Int64 { charged.filter { match($0.key) }.values.reduce(0, +) }
            _ = try await cluster.store().ledgerTotalNano(reaching: total { _ in true })

            let byKey = try JSONValue.parse(Array(try await cluster.cli(["spend", "--team", "apps", "--by", "key", "--json"]).utf8)).arrayValue ?? []
            #expect(byKey.count == 2, "\(byKey)")
            for key in [web, batch] {
                let prefix = String(key.split(separator: "_")[1])
                let row = try #require(byKey.first { $0["group"]?.stringValue == prefix }, "\(byKey)")
                #expect(row["cost_nano"]?.intValue.map(Int64.init) == total { $0.hasPrefix(prefix + "/") }, "\(row)")
            }
            let byUser = try JSONValue.parse(Array(try await cluster.cli(["spend", "--team", "apps", "--by", "user", "--json"]).utf8)).arrayValue ?? []
            #expect(byUser.compactMap { $0["group"]?.stringValue } == ["-", "alice", "bob"], "\(byUser)")
            #expect(byUser.compactMap { $0["requests"]?.intValue } == [1, 3, 1])
            for user in ["-", "alice", "bob"] {
                let row = try #require(byUser.first { $0["group"]?.stringValue == user })
                #expect(row["cost_nano"]?.intValue.map(Int64.init) == total { $0.hasSuffix("/" + user) }, "\(user): \(row)")
            }
            await #expect(throws: HarnessError.self, "an unknown grouping is refused") { try await cluster.cli(["spend", "--by", "colour"]) }
        }
    }
}
