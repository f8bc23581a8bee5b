import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A judge that answers, but with nothing Triage can use (junk instead of a rating, no text at
    /// all), has still billed its tokens: the call is charged to the team like any judge call, and
    /// the request is answered as when the judge fails.
    @Suite struct JudgeBilledAnswerTests {
        @Test func aRoutingJudgeThatAnswersJunkIsChargedToTheTeam() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = JudgeRoutingTests.spec()
            spec.workers = 1
            spec.authRequired = true
            let cluster = try await env.startCluster(spec)
            let set = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                  body: Array(#"{"\#(JudgeRoutingTests.judgeModel)": {"answer": "I am not sure."}}"#.utf8))
            #expect(set.status == 200)
            let key = try await cluster.createTeamAndKey("junk", budget: "10")
            let r = try await cluster.http.post(cluster.chatURL, json: chatBody("Tell me a joke about cats"), headers: ["Authorization": "Bearer \(key)"])
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-classifier"] == "rules+judge-fallback", "the rules decide: \(r.headers)")
            #expect(r.headers["x-triage-reason"]?.contains("holds no rating") == true, "\(r.headers)")
            let simAttempts = try await cluster.http.get(try #require(cluster.simBase) + "/sim/attempts").json()
            #expect(simAttempts[JudgeRoutingTests.judgeModel]?.intValue == 1)

            let store = try cluster.store()
            let id = try #require(r.headers["x-triage-request-id"])
            let charged = try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
            let rows = try await store.ledgerRows(request: id, summingTo: charged.nanoUSD)
            let judgeRow = try #require(rows.first { $0.outcome == "routing_judge" }, "the junk answer was billed but not charged: \(rows)")
            #expect(judgeRow.cost > 0, "\(rows)")
            #expect(judgeRow.team != nil && rows.allSatisfy { $0.team == judgeRow.team }, "charged to the caller's team: \(rows)")
            #expect(charged.nanoUSD == rows.map(\.cost).reduce(0, +), "the client is told the judge's share too: \(rows)")
            #expect(await reservationsDrain(store), "the judge's reservation was settled")
            let teamID = try #require(judgeRow.team)
            let status = try store.budgetStatus(teamID: teamID, periodStart: BudgetPeriod.monthly.start(containing: Date()), now: Date())
            #expect(status.spentNano == charged.nanoUSD, "the team's spend (what its budget counts) includes the judge call")

            // Junk is not cached: the same query asks (and pays) the judge again.
            let again = try await cluster.http.post(cluster.chatURL, json: chatBody("Tell me a joke about cats"), headers: ["Authorization": "Bearer \(key)"])
            #expect(again.status == 200)
            let rowsAgain = try store.ledgerRows(request: try #require(again.headers["x-triage-request-id"]))
            #expect(rowsAgain.map(\.outcome).contains("routing_judge"), "\(rowsAgain)")
        }

        /// Requests that share one junk-answering judge call: the one that made the call pays for
        /// it, the others are told none of its cost, so the ledger still equals what clients were charged.
        @Test func aSharedJunkAnswerIsChargedOnce() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = JudgeRoutingTests.spec(timeoutMs: 3000)
            spec.workers = 1
            spec.authRequired = true
            let cluster = try await env.startCluster(spec)
            let set = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                  body: Array(#"{"\#(JudgeRoutingTests.judgeModel)": {"ttft_ms": 400, "answer": "no idea"}}"#.utf8))
            #expect(set.status == 200)
            let key = try await cluster.createTeamAndKey("shared", budget: "10")
            let charged = try await withThrowingTaskGroup(of: (Int, Int64?).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let r = try await cluster.http.post(cluster.chatURL, json: chatBody("sim-rating=9 all at once"), headers: ["Authorization": "Bearer \(key)"])
                        return (r.status, Money(decimalString: r.headers["x-triage-cost-usd"] ?? "")?.nanoUSD)
                    }
                }
                var out: [(Int, Int64?)] = []
                for try await c in group { out.append(c) }
                return out
            }
            #expect(charged.map(\.0) == [200, 200, 200, 200])
            let simAttempts = try await cluster.http.get(try #require(cluster.simBase) + "/sim/attempts").json()
            #expect(simAttempts[JudgeRoutingTests.judgeModel]?.intValue == 1, "one judge call for four concurrent requests")
            let store = try cluster.store()
            let chargedInAll = charged.compactMap(\.1).reduce(0, +)
            _ = try await store.ledgerTotalNano(reaching: chargedInAll)
            let judgeRows = try store.read { db in try db.query("SELECT count(*) FROM ledger WHERE outcome = 'routing_judge' AND cost_nano > 0") { $0.int(0) } }
            #expect(judgeRows == [1], "the shared call is charged once")
            #expect(try store.ledgerTotalNano() == charged.compactMap(\.1).reduce(0, +), "the ledger equals what the clients were charged")
            #expect(await reservationsDrain(store))
        }

        @Test func aQualityJudgeThatAnswersNoTextIsCharged() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"judge-mini": {"answer": ""}}"#)
            let cluster = try await env.startCluster(ShadowTests.spec(sim, shadow: nil, qualityJudge: ["simple": "{threshold: 6}"]))
            let r = try await cluster.chat("What is the capital of Japan?")
            #expect(r.status == 200 && r.headers["x-triage-tier"] == "simple", "a judge without a grade passes the answer: \(r.headers)")
            #expect(r.headers["x-triage-judge"] == "unavailable: judge answered no text", "\(r.headers)")
            #expect(try await sim.attempts()["judge-mini"] == 1)
            let store = try cluster.store()
            let charged = try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
            let rows = try await store.ledgerRows(request: try #require(r.headers["x-triage-request-id"]), summingTo: charged.nanoUSD)
            #expect(rows.map(\.outcome) == ["judge", "ok"], "\(rows)")
            #expect(rows.first?.cost ?? 0 > 0, "\(rows)")
            #expect(charged.nanoUSD == rows.map(\.cost).reduce(0, +), "\(rows)")
            #expect(await reservationsDrain(store))
        }
    }
}
