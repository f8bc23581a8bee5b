import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// The LLM-judge classifier through the real cluster and the simulated provider playing the
    /// judge: ratings route, decisions are cached, and a judge that hangs falls back in time.
    @Suite struct JudgeRoutingTests {
        static let judgeModel = "judge-mini"

        static func spec(timeoutMs: Int = 1000) -> ClusterSpec {
            var spec = ClusterSpec(workers: 2, classifierKind: "judge")
            spec.judge = "{provider: sim, model: \(judgeModel), input_per_mtok: 1.0, output_per_mtok: 2.0, timeout_ms: \(timeoutMs)}"
            return spec
        }

        func attempts(_ cluster: Cluster) async throws -> [String: Int] {
            let r = try await cluster.http.get(try #require(cluster.simBase) + "/sim/attempts")
            return (try r.json().objectValue ?? [:]).compactMapValues(\.intValue)
        }

        @Test func theJudgeRoutesAndEachQueryIsJudgedOnce() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(Self.spec())
            // A short query the rules call simple; the sim judge rates it 9 → complex.
            let hard = try await cluster.chat("Quick one, sim-rating=9, thanks")
            #expect(hard.status == 200, "\(hard.text)")
            #expect(hard.headers["x-triage-tier"] == "complex", "\(hard.headers)")
            #expect(hard.headers["x-triage-classifier"] == "rules+judge")
            #expect(hard.headers["x-triage-reason"]?.hasPrefix("judge: rating score 0.889") == true, "\(hard.headers)")
            #expect(try await attempts(cluster)[Self.judgeModel] == 1)
            // The rating call is charged to the request that made it: a team ledger row, in the request's cost.
            let store = try cluster.store()
            let firstID = try #require(hard.headers["x-triage-request-id"])
            let charged = try #require(Money(decimalString: hard.headers["x-triage-cost-usd"] ?? ""))
            let judged = try await store.ledgerRows(request: firstID, summingTo: charged.nanoUSD)
            let judgeRow = try #require(judged.first { $0.outcome == "routing_judge" }, "\(judged)")
            #expect(judgeRow.cost > 0, "\(judged)")
            #expect(judged.allSatisfy { $0.team == judgeRow.team }, "charged to the same team as the answer: \(judged)")
            #expect(charged.nanoUSD == judged.map(\.cost).reduce(0, +), "the client is told the judge's share too")

            // The same query (case and spacing aside) again, several times over both workers: no judge call.
            for text in ["Quick one,  sim-rating=9, THANKS", "quick one, sim-rating=9, thanks", "Quick one, sim-rating=9, thanks"] {
                let again = try await cluster.chat(text)
                #expect(again.headers["x-triage-tier"] == "complex")
                #expect(again.headers["x-triage-reason"]?.contains("(cached)") == true, "\(again.headers)")
            }
            #expect(try await attempts(cluster)[Self.judgeModel] == 1, "cached decisions do not call the judge")
            let judgeRows = try store.read { db in try db.query("SELECT count(*) FROM ledger WHERE outcome = 'routing_judge'") { $0.int(0) } }
            #expect(judgeRows == [1], "a cached rating charges nothing")

            // A long query the rules call complex; the judge rates it 2 → simple.
            let long = "sim-rating=2 " + String(repeating: "please list the colours of the rainbow ", count: 20)
            let easy = try await cluster.chat(long)
            #expect(easy.headers["x-triage-tier"] == "simple", "\(easy.headers)")
            #expect(try await attempts(cluster)[Self.judgeModel] == 2)
        }

        @Test func chainedAfterTheLearnedModelTheJudgeSettlesOnlyCloseCalls() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = Self.spec()
            spec.workers = 1
            spec.classifierKind = "learned"
            spec.classifierJudge = "{when: near_threshold, margin: 0.1}"
            let cluster = try await env.startCluster(spec)
            func install(_ name: String, bias: Double) async throws {
                let path = try env.dir.write("\(name).json", String(decoding: ClassifierReloadTests.modelFile(name: name, bias: bias), as: UTF8.self))
                let r = try await env.run(["classifier", "install", path, "--config", cluster.configPath, "--data-dir", cluster.dataDir])
                guard r.status == 0 else { throw HarnessError(r.output) }
            }
            // Every score is σ(0) = 0.5, on the simple threshold (0.5): a close call, so the judge decides.
            try await install("close", bias: 0)
            let close = await eventually(timeout: .seconds(6), interval: .milliseconds(200)) {
                (try? await cluster.chat("sim-rating=10 what is two plus two"))?.headers["x-triage-classifier"] == "learned:v1+judge"
            }
            #expect(close, "the judge settles a score on the threshold")
            let decided = try await cluster.chat("sim-rating=10 what is two plus two")
            #expect(decided.headers["x-triage-tier"] == "complex", "\(decided.headers)")
            #expect(try await attempts(cluster)[Self.judgeModel] ?? 0 >= 1)

            // Every score is σ(−5) ≈ 0.007, far below the threshold: the judge is not asked.
            try await install("clear", bias: -5)
            let clear = await eventually(timeout: .seconds(6), interval: .milliseconds(200)) {
                (try? await cluster.chat("sim-rating=10 what is three plus three"))?.headers["x-triage-classifier"] == "learned:v2"
            }
            #expect(clear)
            let before = try await attempts(cluster)[Self.judgeModel] ?? 0
            let r = try await cluster.chat("sim-rating=10 what is four plus four")
            #expect(r.headers["x-triage-tier"] == "simple")
            #expect(try await attempts(cluster)[Self.judgeModel] == before, "no judge call for clear scores")
        }

        @Test func aTeamWithNoBudgetLeftIsNotChargedForTheJudge() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = Self.spec()
            spec.workers = 1
            spec.authRequired = true
            let cluster = try await env.startCluster(spec)
            let key = try await cluster.createTeamAndKey("broke", budget: "0")
            for i in 0..<3 {
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody("Quick one \(i), sim-rating=9, thanks"),
                                                    headers: ["Authorization": "Bearer \(key)"])
                #expect(r.status == 429, "\(r.text)")
                #expect((try? r.json())?["error"]?["code"]?.stringValue == "budget_exceeded", "\(r.text)")
            }
            #expect(try await attempts(cluster)[Self.judgeModel] == nil, "the judge was called for a team with nothing left")
            let charged = try cluster.store().read { db in try db.query("SELECT count(*) FROM ledger", []) { $0.int(0) } }
            #expect(charged == [0], "ledger rows for a team with no budget")
        }

        /// A judge call's worst case (its prompt and max tokens at the judge's price) is reserved
        /// against the team's hard limit before the call, so neither one request nor many at once
        /// can push a team past its budget with rating calls.
        @Test func theJudgeCallIsReservedAgainstTheTeamsBudget() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = ClusterSpec(workers: 1, classifierKind: "judge")
            // An expensive judge: a rating call costs about 0.19 USD, its worst case (reserved) about 0.28 USD.
            spec.judge = "{provider: sim, model: \(Self.judgeModel), input_per_mtok: 1000.0, output_per_mtok: 1000.0, timeout_ms: 3000}"
            spec.authRequired = true
            let cluster = try await env.startCluster(spec)
            let store = try cluster.store()
            func spent(_ team: String) throws -> Int64 {
                try store.read { db in
                    try db.query("SELECT coalesce(sum(l.cost_nano), 0) FROM ledger l JOIN teams t ON t.id = l.team_id WHERE t.name = ?",
                                 [.text(team)]) { $0.int64(0) }
                }.first ?? 0
            }

            // 0.05 USD left: enough for the answer, not for the judge. The rules decide; nothing overspent.
            let tight = try await cluster.createTeamAndKey("tight", budget: "0.05")
            let r = try await cluster.http.post(cluster.chatURL, json: chatBody("Quick one, sim-rating=9, thanks"), headers: ["Authorization": "Bearer \(tight)"])
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "simple", "\(r.headers)")
            #expect(r.headers["x-triage-classifier"] == "rules", "\(r.headers)")
            #expect(r.headers["x-triage-reason"]?.contains("judge skipped: the team's budget cannot cover the judge call") == true, "\(r.headers)")
            #expect(try await attempts(cluster)[Self.judgeModel] == nil, "a judge call the team cannot afford was made")
            let spentTight = try spent("tight")
            #expect(spentTight <= 50_000_000, "the team spent past its budget: \(spentTight) nano-USD")

            // 0.5 USD: room for one judge call's worst case at a time, two calls in all. Four at once,
            // distinct queries (rated simple, so every answer is cheap): before reservations each saw
            // budget left and called the judge (0.77 USD); now the team stays within its budget.
            let near = try await cluster.createTeamAndKey("near", budget: "0.5")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        try await cluster.http.post(cluster.chatURL, json: chatBody("Question \(i), sim-rating=1, thanks"),
                                                    headers: ["Authorization": "Bearer \(near)"]).status
                    }
                }
                var out: [Int] = []
                for try await s in group { out.append(s) }
                return out
            }
            #expect(statuses == [200, 200, 200, 200])
            let calls = try await attempts(cluster)[Self.judgeModel] ?? 0
            #expect((1...2).contains(calls), "judge calls: \(calls)")
            let spentNear = try spent("near")
            #expect(spentNear <= 500_000_000, "the team spent past its budget: \(spentNear) nano-USD")
            let judged = try store.read { db in
                try db.query("SELECT count(*) FROM ledger l JOIN teams t ON t.id = l.team_id WHERE t.name = 'near' AND l.outcome = 'routing_judge' AND l.cost_nano > 0") { $0.int(0) }
            }
            #expect(judged == [calls], "each judge call is charged to the team")
            #expect(await reservationsDrain(store), "every judge reservation was settled or released")
        }

        @Test func concurrentRequestsForOneQueryShareOneJudgeCall() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = Self.spec(timeoutMs: 3000)
            spec.workers = 1
            let cluster = try await env.startCluster(spec)
            let set = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                  body: Array(#"{"\#(Self.judgeModel)": {"ttft_ms": 400}}"#.utf8))
            #expect(set.status == 200)
            let tiers = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 { group.addTask { try await cluster.chat("sim-rating=9 all at once").headers["x-triage-tier"] } }
                var out: [String?] = []
                for try await t in group { out.append(t) }
                return out
            }
            #expect(tiers == Array(repeating: "complex", count: 6))
            #expect(try await attempts(cluster)[Self.judgeModel] == 1, "one judge call for six concurrent requests")
        }

        @Test func aHangingJudgeFallsBackWithinItsLimit() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(Self.spec(timeoutMs: 400))
            let set = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                  body: Array(#"{"\#(Self.judgeModel)": {"hang": true}}"#.utf8))
            #expect(set.status == 200)
            let started = ContinuousClock.now
            let r = try await cluster.chat("What is the capital of France?")
            let elapsed = started.duration(to: .now).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "simple", "the rules' decision stands")
            #expect(r.headers["x-triage-classifier"] == "rules+judge-fallback", "\(r.headers)")
            #expect(r.headers["x-triage-reason"]?.contains("judge timed out after 400 ms") == true, "\(r.headers)")
            #expect(seconds >= 0.4 && seconds < 3.0, "fell back after the 400 ms limit, not hung: \(seconds) s")
            #expect(try await attempts(cluster)[Self.judgeModel] == 1)

            // Junk from the judge also falls back, and is not cached.
            _ = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                            body: Array(#"{"\#(Self.judgeModel)": {"answer": "I am not sure."}}"#.utf8))
            let junk = try await cluster.chat("Tell me a joke about cats")
            #expect(junk.status == 200)
            #expect(junk.headers["x-triage-classifier"] == "rules+judge-fallback", "\(junk.headers)")
            #expect(junk.headers["x-triage-reason"]?.contains("holds no rating") == true, "\(junk.headers)")
        }
    }
}
