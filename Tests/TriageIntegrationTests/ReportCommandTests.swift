import Foundation
import Testing
import TriageStore

extension Integration {
    /// `triage report` as an operator runs it, on a store seeded directly.
    @Suite struct ReportCommandTests {
        /// Shadow calls are paid from the cluster's shadow budget, not a team's: a team's report
        /// shows what comparing that team's requests cost, labelled so, and not the other teams'.
        @Test func aTeamReportShowsOnlyTheShadowSpendOfThatTeamsRequests() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let dataDir = env.dir.file("data")
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            let config = try env.dir.write("report.yaml", ClusterSpec(workers: 0).yaml(dataDir: dataDir))
            let store = try env.store(dataDir: dataDir)
            let now = Date()
            for (name, verdict, cost) in [("research", "as_good", Int64(100_000_000)), ("support", "worse", Int64(2_000_000_000))] {
                let team = try store.createTeam(name: name, budgetNano: nil, period: "monthly", softLimit: nil)
                let record = ShadowRecord(requestID: "req-\(name)", createdAt: now, teamID: team.id, tier: "simple", model: "gpt-4o-mini",
                                          topTier: "complex", topModel: "claude-opus-4-1", queryHash: "h-\(name)", queryText: nil, score: 0.2,
                                          reservedNano: cost)
                let id = try #require(try store.startShadow(record, dayStart: now.addingTimeInterval(-60), limitNano: 10_000_000_000))
                try store.finishShadow(id: id, verdict: verdict, detail: nil, costNano: cost, at: now, ledger: [])
            }
            func report(_ extra: [String]) async throws -> String {
                let r = try await env.run(["report", "--config", config, "--data-dir", dataDir] + extra)
                guard r.status == 0 else { throw HarnessError("triage report failed: \(r.output)") }
                return r.output
            }
            let team = try await report(["--team", "research"])
            let line = try #require(team.split(separator: "\n").first { $0.hasPrefix("shadow spend") }, "\(team)")
            #expect(line.hasPrefix("shadow spend on team research's requests"), "\(line)")
            #expect(line.contains("not charged to the team"), "\(line)")
            #expect(line.hasSuffix("$0.100000000"), "only research's comparisons: \(line)")

            let all = try await report([])
            let clusterLine = try #require(all.split(separator: "\n").first { $0.hasPrefix("shadow spend") }, "\(all)")
            #expect(clusterLine.hasSuffix("$2.100000000"), "the whole cluster's: \(clusterLine)")
        }
    }
}
