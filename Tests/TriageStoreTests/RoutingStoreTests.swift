import Testing
@testable import TriageStore

@Suite struct RoutingStoreTests {
    @Test func judgeDecisionsAreCachedByKey() throws {
        try withStore { store, _ throws in
            #expect(try store.judgeDecision(key: "k1") == nil)
            try store.saveJudgeDecision(key: "k1", score: 0.25, model: "judge-mini")
            #expect(try store.judgeDecision(key: "k1") == 0.25)
            try store.saveJudgeDecision(key: "k1", score: 0.75, model: "judge-mini")
            #expect(try store.judgeDecision(key: "k1") == 0.75)
            #expect(try store.judgeDecision(key: "k2") == nil)
        }
    }

    @Test func teamPolicyRoundTripsAndGoesWithTheTeam() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "search", budgetNano: nil, period: "monthly", softLimit: nil)
            #expect(try store.routingPolicy(teamID: team.id) == TeamRoutingPolicy())
            let policy = TeamRoutingPolicy(dial: 0.3, dialMin: 0.1, dialMax: 0.6, maxTier: "medium")
            #expect(try store.setRoutingPolicy(team: "search", policy))
            #expect(try store.routingPolicy(teamID: team.id) == policy)
            #expect(try !store.setRoutingPolicy(team: "nobody", policy))
            try store.setRoutingPolicy(team: "search", TeamRoutingPolicy())
            #expect(try store.routingPolicy(teamID: team.id).isEmpty)
            try store.setRoutingPolicy(team: "search", policy)
            #expect(try store.deleteTeam(name: "search"))
            let count = try store.read { db in try db.queryFirst("SELECT count(*) FROM team_routing") { $0.int(0) } }
            #expect(count == 0)
        }
    }
}
