import Foundation
import Synchronization
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A worker killed during an upstream call: the provider has billed the prompt, and a stream's
    /// text generated so far, so the team is charged that (the attempt's last checkpoint, ledger
    /// `worker_lost`) once the next reclaim pass finds the dead worker's journal, and the call's
    /// reservation is given back.
    @Suite struct AttemptCheckpointTests {
        /// A ledger row as these tests check it.
        struct Row: CustomStringConvertible {
            var outcome: String, tier: String, model: String, promptTokens: Int64, completionTokens: Int64, cost: Int64, estimated: Bool
            var description: String { "\(outcome) \(tier) \(model) \(promptTokens)+\(completionTokens) tokens \(cost) nano-USD\(estimated ? " (estimated)" : "")" }
        }

        /// The team's ledger once a reclaim pass has charged something (within 20 s): its total and rows.
        static func chargedRows(_ store: Store, team: Int64) async throws -> (total: Int64, rows: [Row]) {
            let total = try await store.ledgerTotalNano(teamID: team, reaching: 1, timeout: .seconds(20))
            let rows = try store.read { db in
                try db.query("SELECT outcome, tier, model, prompt_tokens, completion_tokens, cost_nano, usage_estimated FROM ledger WHERE team_id = ?",
                             [.integer(team)]) { Row(outcome: $0.text(0), tier: $0.text(1), model: $0.text(2), promptTokens: $0.int64(3),
                                                     completionTokens: $0.int64(4), cost: $0.int64(5), estimated: $0.int64(6) == 1) }
            }
            return (total, rows)
        }

        /// A one-worker cluster with auth in front of a stand-alone simulated provider with
        /// `behaviours`, and a team `team` with $10 and its key: what each test here kills a worker in.
        struct World {
            var sim: Sim, cluster: Cluster, auth: [String: String], store: Store, team: TeamRecord
            /// The cluster's one worker.
            var victim: WorkerRecord
        }

        static func world(_ env: IntegrationEnv, behaviours: String, team name: String,
                          _ configure: (inout ClusterSpec) -> Void = { _ in }) async throws -> World {
            let sim = try await env.startSim(behaviours: behaviours)
            var spec = ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase), authRequired: true)
            configure(&spec)
            let cluster = try await env.startCluster(spec)
            let auth = ["Authorization": "Bearer \(try await cluster.createTeamAndKey(name, budget: "10"))"]
            let store = try cluster.store()
            return World(sim: sim, cluster: cluster, auth: auth, store: store, team: try #require(try store.team(named: name)),
                         victim: try #require(try store.workers().first))
        }

        /// The settlement journal segments in a cluster's data directory (none once its workers stopped
        /// cleanly and a reclaim pass took the dead ones').
        static func journalSegments(dataDir: String) -> [String] {
            let journals = SettlementJournal.directory(forStore: Store.defaultPath(dataDir: dataDir))
            return ((try? FileManager.default.contentsOfDirectory(atPath: journals)) ?? []).filter { $0.hasSuffix(".jsonl") }
        }

        @Test func aStreamCutByItsWorkersDeathIsChargedWhatWasGenerated() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // 400 tokens of 11 bytes, one every 10 ms: about 4 s of stream.
            let w = try await Self.world(env, behaviours: #"{"gpt-4o-mini": {"answer": " abcdefghij", "answer_repeat": 400, "tpot_ms": 10}}"#,
                                         team: "streams")
            let (cluster, auth, store, team, victim) = (w.cluster, w.auth, w.store, w.team, w.victim)

            // Once more than 512 bytes of the answer reached the client (a second checkpoint was due), the
            // store's write lock is held (so no reclaim pass can run yet) and the worker is killed.
            let received = Atomic<Int>(0)
            let body = chatBody("Tell me a long story.", model: "simple", stream: true)
            async let streamed = cluster.http.stream(cluster.chatURL, json: body, headers: auth) { r in
                received.store(r.data.count, ordering: .relaxed)
                return false
            }
            #expect(await eventually(timeout: .seconds(10)) { received.load(ordering: .relaxed) >= 70 }, "\(cluster.up.logTail(20))")
            let holder = try SQLiteConnection(path: Store.defaultPath(dataDir: cluster.dataDir))
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            var held = true
            defer { if held { try? holder.exec("ROLLBACK") } }
            let tokensAtKill = received.load(ordering: .relaxed)
            kill(victim.pid, SIGKILL)
            let result = try await streamed
            #expect(result.status == 200)
            #expect(result.raw.contains("worker_lost"), "\(result.raw.suffix(300))")
            #expect(!result.raw.contains("[DONE]"))
            let tokensSeen = result.data.count
            #expect(tokensSeen < 400, "the stream was cut")

            // `triage status` counts the stream as a charge not in the ledger yet.
            #expect(await eventually(timeout: .seconds(5)) { !ProcessTable.isAlive(victim.pid) })
            let status = try JSONValue.parse(Array(try await env.run(["status", "--json", "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output.utf8))
            #expect(status["uncharged_settlements"]?.intValue == 1, "\(status)")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 0)
            try holder.exec("ROLLBACK")
            held = false

            // The replacement worker's first reclaim pass charges it: the prompt and at least the 512 bytes
            // the second checkpoint had seen, at most what the client saw by the end.
            let (charged, rows) = try await Self.chargedRows(store, team: team.id)
            #expect(rows.count == 1, "\(rows)\n\(cluster.up.logTail(30))")
            if let row = rows.first {
                #expect(row.outcome == "worker_lost" && row.tier == "simple" && row.estimated)
                #expect(row.promptTokens > 0, "the prompt is charged")
                #expect(row.completionTokens >= 128 && row.completionTokens <= Int64((tokensSeen * 11 + 3) / 4),
                        "completion tokens \(row.completionTokens): \(tokensAtKill) chunks at the kill, \(tokensSeen) seen")
                #expect(row.cost == charged && charged > 0)
            }
            let period = BudgetPeriod.monthly.start(containing: Date())
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: Date()).spentNano == charged)
            #expect(await reservationsDrain(store, timeout: .seconds(10)), "the stream's reservation is given back")
            #expect(try JSONValue.parse(Array(try await cluster.cli(["status", "--json"]).utf8))["uncharged_settlements"]?.intValue == 0)

            // A stream that ends normally is charged once, its checkpoints never.
            let whole = try await cluster.http.stream(cluster.chatURL, json: body, headers: auth)
            #expect(whole.raw.contains("[DONE]"))
            let cost = try #require(whole.comments.compactMap { c in
                c.split(separator: " ").first { $0.hasPrefix("x-triage-cost-usd=") }.flatMap { Money(decimalString: String($0.dropFirst(18))) }
            }.first)
            #expect(try await store.ledgerTotalNano(teamID: team.id, reaching: charged + cost.nanoUSD) == charged + cost.nanoUSD)
            await cluster.up.stop()
            #expect(try store.ledgerTotalNano(teamID: team.id) == charged + cost.nanoUSD)
            #expect(Self.journalSegments(dataDir: cluster.dataDir).isEmpty, "the stopped worker left no journal")
        }

        /// A stream held whole until it is checked (`quality: buffer`) has sent the client nothing, but
        /// the provider billed the text generated: it is checkpointed as it comes all the same.
        @Test func aBufferedStreamCutByItsWorkersDeathIsChargedWhatWasGenerated() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // 400 tokens of 11 bytes, one every 10 ms: about 4 s of stream.
            let w = try await Self.world(env, behaviours: #"{"gpt-4o-mini": {"answer": " abcdefghij", "answer_repeat": 400, "tpot_ms": 10}}"#,
                                         team: "held") { $0.tierQuality = ["simple": "buffer"] }
            let (sim, cluster, auth, store, team, victim) = (w.sim, w.cluster, w.auth, w.store, w.team, w.victim)

            // Killed about a second into the answer, none of which the client has had.
            let body = chatBody("Tell me a long story.", model: "simple", stream: true)
            async let streamed = cluster.http.stream(cluster.chatURL, json: body, headers: auth)
            #expect(await eventually(timeout: .seconds(10)) { (try? await sim.attempts()["gpt-4o-mini"]) == 1 }, "\(cluster.up.logTail(20))")
            try await Task.sleep(for: .milliseconds(1200))
            kill(victim.pid, SIGKILL)
            let result = try await streamed
            #expect(result.raw.contains("worker_lost"), "\(result.status) \(result.raw.suffix(300))")
            #expect(!result.raw.contains("abcdefghij"), "nothing of the held answer reached the client")

            let (charged, rows) = try await Self.chargedRows(store, team: team.id)
            #expect(rows.count == 1, "\(rows)\n\(cluster.up.logTail(30))")
            if let row = rows.first {
                #expect(row.outcome == "worker_lost" && row.tier == "simple" && row.estimated)
                #expect(row.completionTokens > 0 && row.completionTokens <= 1_100, "the text generated by then: \(row.completionTokens) tokens")
                #expect(row.cost == charged && charged > 0)
            }
            #expect(await reservationsDrain(store, timeout: .seconds(10)), "the stream's reservation is given back")
        }

        @Test func aWholeCallCutByItsWorkersDeathIsChargedItsPrompt() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await Self.world(env, behaviours: #"{"gpt-4o-mini": {"hang": true}}"#, team: "calls")
            let (sim, cluster, auth, store, team, victim) = (w.sim, w.cluster, w.auth, w.store, w.team, w.victim)

            // The call is upstream (the provider holds it) when its worker is killed.
            let body = chatBody(String(repeating: "Summarise the quarterly report in three bullet points. ", count: 20), model: "simple")
            async let cut = cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(await eventually(timeout: .seconds(10)) { (try? await sim.attempts()["gpt-4o-mini"]) == 1 }, "\(cluster.up.logTail(20))")
            kill(victim.pid, SIGKILL)
            let result = try await cut
            #expect(result.status == 502 && (try? result.json()["error"]?["code"]?.stringValue) == "worker_lost", "\(result.status) \(result.text)")

            // The replacement worker's first reclaim pass charges the prompt, estimated, and gives the
            // call's reservation back.
            let (charged, rows) = try await Self.chargedRows(store, team: team.id)
            #expect(rows.count == 1, "\(rows)\n\(cluster.up.logTail(30))")
            if let row = rows.first {
                #expect(row.outcome == "worker_lost" && row.tier == "simple" && row.estimated)
                #expect(row.promptTokens >= 200, "the prompt is charged: \(row.promptTokens) tokens for about 1,100 bytes")
                #expect(row.completionTokens == 0, "nothing of an answer that never came")
                #expect(row.cost == charged && charged > 0)
            }
            #expect(await reservationsDrain(store, timeout: .seconds(10)), "the call's reservation is given back")

            // The same call answered is charged its answer once, its checkpoint never.
            try await sim.setBehaviours("{}")
            let whole = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(whole.status == 200, "\(whole.text)")
            let cost = try #require(Money(decimalString: whole.headers["x-triage-cost-usd"] ?? ""))
            #expect(cost.nanoUSD > charged, "the answer costs more than its prompt alone")
            #expect(try await store.ledgerTotalNano(teamID: team.id, reaching: charged + cost.nanoUSD) == charged + cost.nanoUSD)
            await cluster.up.stop()
            #expect(try store.ledgerTotalNano(teamID: team.id) == charged + cost.nanoUSD)
            #expect(Self.journalSegments(dataDir: cluster.dataDir).isEmpty, "the stopped worker left no journal")
        }

        /// A worker killed while the judge quality check grades an answer: the provider billed the
        /// answer whole and the judge call's prompt, and the team is charged both (`worker_lost`).
        @Test func aWorkerKilledWhileTheJudgeGradesChargesTheAnswerAndTheJudgesPrompt() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let judgeModel = "judge-mini"
            let w = try await Self.world(env, behaviours: #"{"\#(judgeModel)": {"hang": true}}"#, team: "graded") { spec in
                spec.judge = "{provider: sim, model: \(judgeModel), input_per_mtok: 1.0, output_per_mtok: 2.0, timeout_ms: 20000}"
                spec.qualityJudge = ["simple": "{threshold: 6}"]
            }
            let (sim, cluster, auth, store, team, victim) = (w.sim, w.cluster, w.auth, w.store, w.team, w.victim)

            // The answer is in; the judge's call is upstream (the provider holds it) when the worker is killed.
            let body = chatBody("What is the capital of France?", model: "simple")
            async let cut = cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(await eventually(timeout: .seconds(10)) { (try? await sim.attempts()[judgeModel]) == 1 }, "\(cluster.up.logTail(20))")
            #expect(try await sim.attempts()["gpt-4o-mini"] == 1)
            kill(victim.pid, SIGKILL)
            let result = try await cut
            #expect(result.status == 502 && (try? result.json()["error"]?["code"]?.stringValue) == "worker_lost", "\(result.status) \(result.text)")

            // The replacement worker's first reclaim pass charges both calls and gives their reservations back.
            _ = try await store.ledgerTotalNano(teamID: team.id, reaching: 1, timeout: .seconds(20))
            var rows: [Row] = []
            #expect(await eventually(timeout: .seconds(5)) {
                rows = (try? await Self.chargedRows(store, team: team.id).rows) ?? []
                return rows.count == 2
            }, "\(rows)\n\(cluster.up.logTail(30))")
            let answer = rows.first { $0.model == "gpt-4o-mini" }
            let grading = rows.first { $0.model == judgeModel }
            #expect(answer?.outcome == "worker_lost" && answer?.tier == "simple", "\(rows)")
            #expect((answer?.completionTokens ?? 0) > 0 && answer?.estimated == false, "the answer as the provider reported it, whole: \(rows)")
            #expect(grading?.outcome == "worker_lost" && grading?.tier == "simple" && grading?.estimated == true, "\(rows)")
            #expect((grading?.promptTokens ?? 0) > 0 && grading?.completionTokens == 0, "the judge's prompt, nothing of a grade that never came: \(rows)")
            #expect(rows.allSatisfy { $0.cost > 0 }, "\(rows)")
            #expect(await reservationsDrain(store, timeout: .seconds(10)), "both reservations are given back")
        }
    }
}
