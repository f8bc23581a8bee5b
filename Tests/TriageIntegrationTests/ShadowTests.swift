import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Shadow comparison across tiers and the judge quality check through the real cluster, with
    /// the simulated provider playing every model and the judge.
    @Suite struct ShadowTests {
        static let question = "What is the capital of France?"
        static let judge = "{provider: sim, model: judge-mini, input_per_mtok: 1.0, output_per_mtok: 2.0, timeout_ms: 2000}"

        static func spec(_ sim: Sim, shadow: String?, qualityJudge: [String: String] = [:], judgeTimeoutMs: Int = 2000) -> ClusterSpec {
            var spec = ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase))
            spec.judge = "{provider: sim, model: judge-mini, input_per_mtok: 1.0, output_per_mtok: 2.0, timeout_ms: \(judgeTimeoutMs)}"
            spec.shadow = shadow
            spec.qualityJudge = qualityJudge
            spec.privacy = "{store_query_text: true}"
            return spec
        }

        @Test func sampledRequestsAreComparedAfterTheClientHasItsAnswer() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // The top tier takes 1.5 s: a comparison on the request path would show in the client's latency.
            let sim = try await env.startSim(behaviours: """
                {"claude-opus-4-1": {"ttft_ms": 1500}, "judge-mini": {"answer": "{\\"verdict\\": \\"worse\\", \\"reason\\": \\"misses the point\\"}"}}
                """)
            var spec = Self.spec(sim, shadow: "{sample_rate: 1.0, max_usd_per_day: 1.0, max_concurrent: 4}")
            spec.environment = ["TRIAGE_ADMIN_KEY": "shadow-test-admin-key"]
            let cluster = try await env.startCluster(spec)
            let t0 = ContinuousClock.now
            let r = try await cluster.chat(Self.question)
            let latency = t0.duration(to: .now)
            #expect(r.status == 200 && r.headers["x-triage-tier"] == "simple")
            #expect(latency < .milliseconds(1000), "the client does not wait for the comparison (\(latency))")
            let t1 = ContinuousClock.now
            let s = try await cluster.http.stream(cluster.chatURL, json: chatBody("Name the largest ocean on Earth.", stream: true))
            #expect(s.status == 200 && s.data.last == "[DONE]" && s.headers["x-triage-tier"] == "simple")
            #expect(t1.duration(to: .now) < .milliseconds(1000), "nor does a streamed one")

            let store = try cluster.store()
            let done = await poll(timeout: .seconds(10)) { () -> [ShadowRecord]? in
                let rows = (try? store.shadowComparisons()) ?? []
                return rows.count == 2 && rows.allSatisfy { $0.verdict != nil } ? rows : nil
            }
            let rows = try #require(done, "both requests get a verdict")
            for row in rows {
                #expect(row.verdict == "worse" && row.detail == "misses the point")
                #expect(row.tier == "simple" && row.topTier == "complex" && row.topModel == "claude-opus-4-1")
                #expect(row.costNano > 0 && row.finishedAt != nil)
            }
            #expect(Set(rows.compactMap(\.queryText)) == [Self.question, "Name the largest ocean on Earth."])
            #expect(try await sim.attempts()["claude-opus-4-1"] == 2)
            #expect(try await sim.attempts()["judge-mini"] == 2)

            // A worse verdict is a labelled misroute; the calls are charged to the shadow budget, not to a team.
            let id = try #require(r.headers["x-triage-request-id"])
            let misroute = try #require(try store.misroutes().first { $0.requestID == id })
            #expect(misroute.reason == "shadow_worse: misses the point" && misroute.firstTier == "simple")
            let ledger = try store.ledgerRows(request: id)
            #expect(ledger.map(\.outcome) == ["ok", "shadow", "shadow_judge"])
            #expect(ledger.dropFirst().allSatisfy { $0.team == nil && $0.cost > 0 })
            #expect(try store.shadowSpendNano(since: Date(timeIntervalSince1970: 0)) == rows.reduce(0) { $0 + $1.costNano })

            // The verdicts reach /metrics.
            let metrics = try PrometheusText(try await cluster.http.get(cluster.base + "/metrics").text)
            #expect(metrics.types["triage_shadow_verdicts_total"] == "counter")
            #expect(metrics.samples.first { $0.name == "triage_shadow_verdicts_total" && $0.labels == ["tier": "simple", "verdict": "worse"] }?.value == 2)
            let dashboard = try await cluster.http.get(cluster.base + "/dashboard", headers: ["Authorization": "Bearer shadow-test-admin-key"])
            #expect(dashboard.text.contains("0% as good as complex (2 shadow verdicts)"), "the dashboard shows the cheapest tier's measured accuracy")
            let report = try await env.run(["report", "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output
            #expect(report.contains("measured routing accuracy per tier"))
            #expect(report.split(separator: "\n").contains { $0.hasPrefix("simple") && $0.contains("0.0%") })
        }

        @Test func theSampleRateIsHonoured() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"judge-mini": {"answer": "{\"verdict\": \"as_good\"}"}}"#)
            let cluster = try await env.startCluster(Self.spec(sim, shadow: "{sample_rate: 0.3, max_usd_per_day: 10.0, max_concurrent: 64}"))
            for i in 0..<60 { #expect(try await cluster.chat("What is the capital of France? (\(i))").status == 200) }
            // Answered by the top tier: never compared.
            #expect(try await cluster.chat("What is the capital of France?", model: "complex").status == 200)
            let store = try cluster.store()
            let rows = await poll(timeout: .seconds(10)) { () -> [ShadowRecord]? in
                guard let r = try? store.shadowComparisons(), r.allSatisfy({ $0.verdict != nil }) else { return nil }
                return r
            } ?? []
            // Binomial(60, 0.3): mean 18, sd 3.5; 6...30 is more than 3 sd either way.
            #expect((6...30).contains(rows.count), "\(rows.count) of 60 compared at rate 0.3")
            #expect(rows.allSatisfy { $0.tier == "simple" })
        }

        @Test func theShadowBudgetStopsComparisons() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"judge-mini": {"answer": "{\"verdict\": \"as_good\"}"}}"#)
            // One comparison's worst case (max_tokens 50 on the top tier, plus the judge) is about $0.004:
            // a $0.006 budget admits one, maybe two, never eight.
            let cluster = try await env.startCluster(Self.spec(sim, shadow: "{sample_rate: 1.0, max_usd_per_day: 0.006}"))
            let store = try cluster.store()
            var answered = 0
            for i in 0..<8 {
                var body = chatBody("What is the capital of France? (\(i))")
                body["max_tokens"] = .int(50)
                let r = try await cluster.http.post(cluster.chatURL, json: body)
                #expect(r.status == 200, "a skipped comparison never fails the request")
                answered += 1
                // Let a started comparison finish, so its real cost (not its reservation) counts.
                _ = await poll(timeout: .seconds(5)) { (try? store.shadowComparisons().allSatisfy { $0.verdict != nil }) == true ? true : nil }
            }
            let rows = try store.shadowComparisons()
            #expect(answered == 8)
            #expect(rows.count >= 1 && rows.count < 8, "\(rows.count) comparisons")
            let spent = try store.shadowSpendNano(since: Date(timeIntervalSince1970: 0))
            #expect(spent <= Money(usd: 0.006).nanoUSD)
            #expect(try await sim.attempts()["claude-opus-4-1"] == rows.count, "no top-tier call beyond the comparisons the budget admitted")
        }

        @Test func aFailedJudgeGivesUnknownAndShutdownCancelsRunningComparisons() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"judge-mini": {"fail_status": 500}}"#)
            let cluster = try await env.startCluster(Self.spec(sim, shadow: "{sample_rate: 1.0, max_usd_per_day: 1.0}"))
            let store = try cluster.store()
            let r = try await cluster.chat(Self.question)
            #expect(r.status == 200)
            let failed = await poll(timeout: .seconds(10)) { try? store.shadowComparisons().first { $0.verdict != nil } }
            #expect(failed?.verdict == "unknown" && failed?.detail?.hasPrefix("judge call failed") == true, "\(failed?.detail ?? "nil")")
            #expect(try store.misroutes().isEmpty, "no verdict, no label")

            // A top tier that never answers: the comparison is still running when the cluster stops.
            try await sim.setBehaviours(#"{"claude-opus-4-1": {"hang": true}}"#)
            let second = try await cluster.chat("What is the capital of Germany?")
            #expect(second.status == 200)
            let id = try #require(second.headers["x-triage-request-id"])
            #expect(await eventually(timeout: .seconds(5)) { ((try? await sim.attempts()) ?? [:])["claude-opus-4-1", default: 0] >= 1 })
            let stopAt = ContinuousClock.now
            cluster.up.signal(SIGTERM)
            #expect(await cluster.up.waitForExit(timeout: .seconds(8)), "shutdown is not held up by a running comparison")
            #expect(stopAt.duration(to: .now) < .seconds(5))
            let cancelled = try store.shadowComparisons().first { $0.requestID == id }
            #expect(cancelled?.verdict == "unknown" && cancelled?.detail == "cancelled at shutdown", "\(String(describing: cancelled))")
        }

        @Test func theComparisonsOfAWorkerThatDiedAreClosedAndFreeTheShadowBudget() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // A top tier that never answers: the comparison runs until its worker dies.
            let sim = try await env.startSim(behaviours: #"{"claude-opus-4-1": {"hang": true}}"#)
            let cluster = try await env.startCluster(Self.spec(sim, shadow: "{sample_rate: 1.0, max_usd_per_day: 1.0}"))
            let store = try cluster.store()
            let r = try await cluster.chat(Self.question)
            #expect(r.status == 200)
            let running = await poll(timeout: .seconds(5)) { try? store.shadowComparisons().first { $0.verdict == nil } }
            let row = try #require(running)
            let pid = try #require(row.ownerPID, "the comparison records its worker")
            #expect(try store.shadowSpendNano(since: ShadowRunnerDay.start) == row.reservedNano, "its reservation counts while it runs")
            kill(pid, SIGKILL)
            // The replacement worker reclaims what the dead one left, like its budget reservations.
            let closed = await poll(timeout: .seconds(15), interval: .milliseconds(200)) {
                try? store.shadowComparisons().first { $0.id == row.id && $0.verdict != nil }
            }
            #expect(closed?.verdict == "unknown", "\(String(describing: closed))\n\(cluster.up.logTail(20))")
            #expect(closed?.detail == "its worker (pid \(pid)) died before it finished")
            #expect(try store.shadowSpendNano(since: ShadowRunnerDay.start) == 0, "no longer counted against the day's shadow budget")
        }

        @Test func theJudgeCheckClimbsOnALowGradeAndPassesOnAGoodOne() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim()
            let cluster = try await env.startCluster(Self.spec(sim, shadow: nil, qualityJudge: ["simple": "{threshold: 6}"]))
            // The sim judge grades `sim-rating=N` as N.
            let low = try await cluster.chat("sim-rating=3 What is the capital of Spain?")
            #expect(low.status == 200)
            #expect(low.headers["x-triage-tier"] == "medium")
            #expect(low.headers["x-triage-fallbacks"] == "simple/gpt-4o-mini=low_quality(200)")
            #expect(low.headers["x-triage-judge"] == nil, "medium has no judge check; the grade belonged to the answer left behind")
            let store = try cluster.store()
            let id = try #require(low.headers["x-triage-request-id"])
            let m = await poll(timeout: .seconds(3)) { try? store.misroutes().first { $0.requestID == id } }
            #expect(m?.reason.hasPrefix("low_quality: judge_low_grade: judge graded 3/10, below 6") == true, "\(m?.reason ?? "nil")")
            // The judge's call is charged to the request (settled as soon as it answered, before the attempt's row).
            _ = await eventually(timeout: .seconds(5)) { ((try? store.ledgerRows(request: id)) ?? []).count >= 3 }
            #expect(try store.ledgerRows(request: id).map(\.outcome) == ["judge", "low_quality", "ok"])

            let good = try await cluster.chat("sim-rating=8 What is the capital of Italy?")
            #expect(good.headers["x-triage-tier"] == "simple" && good.headers["x-triage-judge"] == "8/10")
            #expect(try await sim.attempts()["judge-mini"] == 2)
        }

        /// The judge check's call is paid like an attempt: its worst case is reserved against the
        /// team's hard limit first, and a team that cannot afford it gets its answer unjudged.
        @Test func aTeamThatCannotAffordTheJudgeCheckIsNotJudged() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim()
            var spec = Self.spec(sim, shadow: nil, qualityJudge: ["simple": "{threshold: 6}"])
            // A grading call's worst case is about 0.35 USD at these prices.
            spec.judge = "{provider: sim, model: judge-mini, input_per_mtok: 1000.0, output_per_mtok: 1000.0, timeout_ms: 2000}"
            spec.authRequired = true
            let cluster = try await env.startCluster(spec)
            let key = try await cluster.createTeamAndKey("tight", budget: "0.05")
            // The sim judge would grade this 3/10 and climb: the answer is kept unjudged instead.
            let r = try await cluster.http.post(cluster.chatURL, json: chatBody("sim-rating=3 What is the capital of Spain?"),
                                                headers: ["Authorization": "Bearer \(key)"])
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "simple", "answered unjudged, not climbed: \(r.headers)")
            #expect(r.headers["x-triage-judge"] == "skipped: the team's budget cannot cover the judge call", "\(r.headers)")
            #expect(try await sim.attempts()["judge-mini"] == nil, "a judge call the team cannot afford was made")
            let store = try cluster.store()
            let spent = try await store.ledgerTotalNano(reaching: 1)
            #expect(spent > 0 && spent <= 50_000_000, "the team's spend stays within its 0.05 USD budget: \(spent) nano-USD")
        }

        @Test func aJudgeTimeoutNeverFailsOrHoldsTheRequest() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: #"{"judge-mini": {"ttft_ms": 5000}}"#)
            let cluster = try await env.startCluster(Self.spec(sim, shadow: nil, qualityJudge: ["simple": "{threshold: 6}"], judgeTimeoutMs: 300))
            let t0 = ContinuousClock.now
            let r = try await cluster.chat("sim-rating=2 What is the capital of Japan?")
            let latency = t0.duration(to: .now)
            #expect(r.status == 200 && r.headers["x-triage-tier"] == "simple", "a judge that times out records and passes")
            #expect(r.headers["x-triage-judge"]?.hasPrefix("unavailable: judge timed out") == true, "\(r.headers["x-triage-judge"] ?? "nil")")
            #expect(latency < .milliseconds(2000), "bounded by timeout_ms (\(latency))")
        }
    }
}

/// The start of today (UTC), the shadow budget's day.
enum ShadowRunnerDay {
    static var start: Date { Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400) }
}
