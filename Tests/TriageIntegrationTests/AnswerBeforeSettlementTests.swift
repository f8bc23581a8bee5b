import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A whole answer drawn from a lease goes out before its settlement commits (the settlement is
    /// journaled first): a worker killed in between must still charge every answer a client got.
    @Suite struct AnswerBeforeSettlementTests {
        @Test func answersWhoseSettlementsNeverCommittedAreChargedOnceTheirWorkerIsKilled() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let auth = ["Authorization": "Bearer \(try await cluster.createTeamAndKey("journal", budget: "10"))"]
            let store = try cluster.store()
            let team = try #require(try store.team(named: "journal"))
            let body = chatBody("What is the capital of France?")
            // The first answer takes a lease on the team's budget (a store write); the next ones draw on it.
            let warm = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(warm.status == 200, "\(warm.text)")
            var charged = try #require(Money(decimalString: warm.headers["x-triage-cost-usd"] ?? ""))
            #expect(try await eventually(timeout: .seconds(5)) { try store.ledgerTotalNano(teamID: team.id) == charged.nanoUSD })

            // Another process holds the store's write lock: no settlement can commit, yet answers come.
            let holder = try SQLiteConnection(path: Store.defaultPath(dataDir: cluster.dataDir))
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            var held = true
            defer { if held { try? holder.exec("ROLLBACK") } }
            for i in 0..<3 {
                let started = ContinuousClock.now
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody("What is the capital of Spain? \(i)"), timeout: .seconds(10),
                                                    headers: auth)
                #expect(r.status == 200, "\(r.text)")
                #expect(started.duration(to: .now) < .seconds(2), "the answer waited for its settlement's commit")
                charged += try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
            }
            #expect(try store.ledgerTotalNano(teamID: team.id) < charged.nanoUSD, "nothing committed while the lock was held")
            let journals = SettlementJournal.directory(forStore: Store.defaultPath(dataDir: cluster.dataDir))

            // The worker dies before it can commit them; `triage up` starts another.
            let victim = try #require(try store.workers().first)
            kill(victim.pid, SIGKILL)
            #expect(await eventually(timeout: .seconds(5)) { !ProcessTable.isAlive(victim.pid) })
            // `triage status` tells that the ledger is behind, and by how much.
            // (It may find no live worker, and exit 1, before the new one registers.)
            let status = try JSONValue.parse(Array(try await env.run(["status", "--json", "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output.utf8))
            #expect(status["uncharged_settlements"]?.intValue == 3, "\(status)")
            try holder.exec("ROLLBACK")
            held = false

            // The next reclaim pass (the new worker's first) charges what the dead one answered, once.
            let settled = try await eventually(timeout: .seconds(20)) { try store.ledgerTotalNano(teamID: team.id) == charged.nanoUSD }
            let ledger = try store.ledgerTotalNano(teamID: team.id)
            #expect(settled, "ledger \(ledger), charged \(charged.nanoUSD)\n\(cluster.up.logTail(40))")
            let period = BudgetPeriod.monthly.start(containing: Date())
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: Date()).spentNano == charged.nanoUSD)
            #expect(await reservationsDrain(store, timeout: .seconds(10)), "the dead worker's lease is reclaimed")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: journals).filter { $0.hasSuffix(".jsonl") }) ?? []
            #expect(left.count == 1, "only the new worker's own segment is left: \(left)")
            #expect(cluster.up.logTail(200).contains("charged settlements a worker that is gone answered and never committed"))

            // The cluster serves on, and charges the next answer once.
            let after = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(after.status == 200, "\(after.text)")
            charged += try #require(Money(decimalString: after.headers["x-triage-cost-usd"] ?? ""))
            #expect(try await eventually(timeout: .seconds(5)) { try store.ledgerTotalNano(teamID: team.id) == charged.nanoUSD })
            let caughtUp = try JSONValue.parse(Array(try await cluster.cli(["status", "--json"]).utf8))
            #expect(caughtUp["uncharged_settlements"]?.intValue == 0, "\(caughtUp)")

            // A worker that stops cleanly leaves no journal behind.
            await cluster.up.stop()
            let leftAfterStop = (try? FileManager.default.contentsOfDirectory(atPath: journals).filter { $0.hasSuffix(".jsonl") }) ?? []
            #expect(leftAfterStop.isEmpty, "\(leftAfterStop)")
        }
    }
}
