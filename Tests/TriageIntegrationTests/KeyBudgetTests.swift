import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A key's own budget through the real cluster: a team's key that spent its budget is refused
    /// while the team's other keys go on, the refusal names the key, a rotated key inherits what
    /// it spent, and removing the budget lets it through again.
    @Suite struct KeyBudgetTests {
        @Test func aKeyThatSpentItsOwnBudgetIsRefusedWhileItsTeamsOtherKeysAreServed() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, authRequired: true))
            _ = try await cluster.cli(["team", "create", "research", "--budget", "100"])
            let free = ["Authorization": "Bearer \(try await cluster.createKey(team: "research"))"]
            var body = chatBody("What is the capital of France?")
            body["max_tokens"] = .int(32)
            let worstCase = CostEstimate.worstCase(try ChatRequest(body: body), price: ClusterSpec.prices["simple"]!, defaultMaxTokens: 4096)

            // What one answer costs (the simulated provider reports the same usage each time).
            let probe = try await cluster.http.post(cluster.chatURL, json: body, headers: free)
            #expect(probe.status == 200, "\(probe.text)")
            let cost = try #require(Money(decimalString: probe.headers["x-triage-cost-usd"] ?? ""))
            #expect(cost.nanoUSD > 0 && cost.nanoUSD < worstCase.nanoUSD)

            // Room for the worst case after one answer and a half: the second answer fits, the third does not.
            let budget = Money(nanoUSD: worstCase.nanoUSD + cost.nanoUSD + cost.nanoUSD / 2)
            let created = try await cluster.cli(["key", "create", "--team", "research", "--name", "notebook", "--budget", budget.description])
            let capped = try #require(created.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })
            let auth = ["Authorization": "Bearer \(capped)"]
            let listed = try JSONValue.parse(Array(try await cluster.cli(["key", "list", "--team", "research", "--json"]).utf8))
            let view = try #require(listed.arrayValue?.first { $0["name"]?.stringValue == "notebook" })
            let prefix = try #require(view["prefix"]?.stringValue)
            #expect(view["budget_usd"]?.stringValue == budget.description && view["spent_usd"]?.stringValue == "0.000000000", "\(view)")

            var statuses: [Int] = []
            var charged = Money.zero
            var refusal: HTTPResult?
            var remaining: [String?] = []
            for _ in 0..<4 {
                let r = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
                statuses.append(r.status)
                if r.status == 200 {
                    charged += try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
                    remaining.append(r.headers["x-triage-key-budget-remaining-usd"])
                } else { refusal = refusal ?? r }
            }
            #expect(statuses == [200, 200, 429, 429], "\(statuses)")
            #expect(remaining == [Money(nanoUSD: budget.nanoUSD - cost.nanoUSD).description, Money(nanoUSD: budget.nanoUSD - 2 * cost.nanoUSD).description],
                    "each answer tells what is left of the key's budget: \(remaining)")
            #expect(probe.headers["x-triage-key-budget-remaining-usd"] == nil, "a key without a budget of its own is not told one")
            let refused = try #require(refusal)
            #expect(refused.errorCode == "budget_exceeded")
            let message = (try? refused.json())?["error"]?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("Key 'notebook' (\(prefix)) of team 'research' has spent $\(charged) of its monthly budget of $\(budget)"), "\(message)")
            #expect(refused.headers["x-should-retry"] == "false", "only a raised budget or a new period lets it through")
            // The team's budget has room: its other key is served.
            #expect(try await cluster.http.post(cluster.chatURL, json: body, headers: free).status == 200)

            // The key's spend is what its clients were charged, in the ledger and in `key list`.
            let store = try cluster.store()
            let key = try #require(try store.key(prefix: prefix))
            #expect(await eventually(timeout: .seconds(5)) {
                (try? store.read { db in
                    try db.queryFirst("SELECT coalesce(sum(cost_nano), 0) FROM ledger WHERE key_id = ?", [.integer(key.id)]) { $0.int64(0) }
                }) == charged.nanoUSD
            }, "the ledger's rows of the key")
            let after = try JSONValue.parse(Array(try await cluster.cli(["key", "list", "--team", "research", "--json"]).utf8))
            #expect(after.arrayValue?.first { $0["prefix"]?.stringValue == prefix }?["spent_usd"]?.stringValue == charged.description)

            // A rotation does not reset a key's budget: the new key shares what the old one spent.
            let rotated = try await cluster.cli(["key", "rotate", prefix, "--grace", "0"])
            let successor = try #require(rotated.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })
            let next = ["Authorization": "Bearer \(successor)"]
            let again = try await cluster.http.post(cluster.chatURL, json: body, headers: next)
            #expect(again.status == 429 && again.errorCode == "budget_exceeded", "\(again.status) \(again.text)")

            // Removing the budget (set on the new key, the one they share) lets it through at once.
            let set = try await cluster.cli(["key", "set", String(successor.dropFirst(4).prefix(8)), "--budget", "none"])
            #expect(set.contains("budget none"), "\(set)")
            #expect(try await cluster.http.post(cluster.chatURL, json: body, headers: next).status == 200)
            #expect(await reservationsDrain(store), "nothing stays reserved")
            let audit = try await cluster.cli(["audit", "--team", "research"])
            #expect(audit.contains("key.update") && audit.contains("→ none"), "\(audit)")
        }

        @Test func concurrentRequestsUnderOneKeyNeverSpendPastItsBudget() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, authRequired: true))
            _ = try await cluster.cli(["team", "create", "research"])  // no team budget: the key's alone holds
            var body = chatBody("What is the capital of France?")
            body["max_tokens"] = .int(32)
            let worstCase = CostEstimate.worstCase(try ChatRequest(body: body), price: ClusterSpec.prices["simple"]!, defaultMaxTokens: 4096)
            let budget = Money(nanoUSD: worstCase.nanoUSD * 6)
            let out = try await cluster.cli(["key", "create", "--team", "research", "--name", "batch", "--budget", budget.description])
            let key = try #require(out.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })

            // 16 clients, 4 requests each, at once.
            let request = body
            let results = try await withThrowingTaskGroup(of: [(Int, Money?, String?)].self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var mine: [(Int, Money?, String?)] = []
                        for _ in 0..<4 {
                            let r = try await cluster.http.post(cluster.chatURL, json: request, headers: ["Authorization": "Bearer \(key)"])
                            mine.append((r.status, r.headers["x-triage-cost-usd"].flatMap(Money.init(decimalString:)), r.errorCode))
                        }
                        return mine
                    }
                }
                var all: [(Int, Money?, String?)] = []
                for try await part in group { all += part }
                return all
            }
            let served = results.filter { $0.0 == 200 }
            let refused = results.filter { $0.0 == 429 }
            #expect(served.count + refused.count == 64, "only answers and budget refusals: \(Set(results.map(\.0)))")
            #expect(served.count >= 6 && !refused.isEmpty, "served \(served.count)")
            #expect(refused.allSatisfy { $0.2 == "budget_exceeded" })
            let charged = served.reduce(Money.zero) { $0 + ($1.1 ?? .zero) }
            let store = try cluster.store()
            #expect(await reservationsDrain(store), "nothing stays reserved")
            let ledger = try store.ledgerTotalNano()
            #expect(ledger == charged.nanoUSD, "the ledger is what the clients were charged")
            #expect(ledger <= budget.nanoUSD, "the key's budget held: \(ledger) of \(budget.nanoUSD)")
        }
    }
}
