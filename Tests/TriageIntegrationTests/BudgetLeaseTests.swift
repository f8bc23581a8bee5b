import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Budget leases through the real cluster: a worker reserves several attempts of a team at
    /// once and draws on them without a store transaction, gives back what it did not use when
    /// the team's traffic stops, and still refuses once an operator cuts the budget (within
    /// `budgets.status_cache_ms`, the longest a worker reuses a team's position).
    @Suite struct BudgetLeaseTests {
        @Test func aWorkerLeasesAheadDrawsLocallyAndGivesBackWhatItDidNotUse() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            _ = try await cluster.cli(["team", "create", "lease", "--budget", "10"])
            let auth = ["Authorization": "Bearer \(try await cluster.createKey(team: "lease"))"]
            let store = try cluster.store()
            let team = try #require(try store.team(named: "lease"))
            let body = Self.body()
            let worstCase = CostEstimate.worstCase(try ChatRequest(body: body), price: ClusterSpec.prices["simple"]!, defaultMaxTokens: 4096)
            func leaseRows() throws -> [(key: String, amount: Int64)] {
                try store.read { db in
                    try db.query("SELECT request_id, amount_nano FROM reservations WHERE team_id = ?", [.integer(team.id)]) { ($0.text(0), $0.int64(1)) }
                }
            }

            var charged = Money.zero
            for _ in 0..<8 {
                let r = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
                #expect(r.status == 200 && r.headers["x-triage-tier"] == "simple", "\(r.status) \(r.text)")
                charged += try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
            }
            // One row, made by the first request's top-up: 32 worst cases (`lease_attempts`); the
            // other seven drew on it without touching it.
            let rows = try leaseRows()
            #expect(rows.count == 1 && rows.first?.key.hasPrefix("lease:") == true, "\(rows)")
            #expect(rows.first?.amount == 32 * worstCase.nanoUSD, "\(rows), worst case \(worstCase.nanoUSD)")
            let period = BudgetPeriod.monthly.start(containing: Date())
            #expect(try await store.ledgerTotalNano(teamID: team.id, reaching: charged.nanoUSD) == charged.nanoUSD, "the ledger holds every settled request")
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: Date()).spentNano == charged.nanoUSD)

            // Traffic stops: the lease goes back within a second or so.
            #expect(await reservationsDrain(store, timeout: .seconds(4)), "lease left: \((try? leaseRows()) ?? [])")

            // Leased again, then the operator cuts the budget to what was spent: the next request
            // after the worker's cached position ages is refused although the worker still holds a
            // lease, and nothing stays reserved.
            let again = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(again.status == 200)
            charged += try #require(Money(decimalString: again.headers["x-triage-cost-usd"] ?? ""))
            let spent = try await store.ledgerTotalNano(teamID: team.id, reaching: charged.nanoUSD)
            #expect(spent == charged.nanoUSD)
            _ = try await cluster.cli(["team", "set", "lease", "--budget", Money(nanoUSD: spent).description])
            try await Task.sleep(for: .milliseconds(200))  // the worker reads the change within budgets.status_cache_ms (100)
            let refused = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(refused.status == 429 && refused.errorCode == "budget_exceeded", "\(refused.status) \(refused.text)")
            #expect(refused.headers["x-should-retry"] == "false", "only a raise or a new period can let it through: clients should not retry")
            #expect(try store.ledgerTotalNano(teamID: team.id) == spent, "the refused request was not charged")
            #expect(try leaseRows().isEmpty, "the refusal's transaction gave the cut lease back")
        }

        private static func body() -> JSONValue {
            var b = chatBody("What is the capital of France?")
            b["max_tokens"] = .int(32)
            return b
        }
    }
}
