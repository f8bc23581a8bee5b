import Foundation
import Testing
@testable import TriageStore

/// Spend within a team by the API key that made each request and by the end user it named.
@Suite struct StoreSpendAttributionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func spendIsReportedByKeyAndByEndUser() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "apps", budgetNano: nil, period: "monthly", softLimit: nil)
            let web = try store.createKey(teamID: team.id, name: "web", prefix: "aaaa1111", hash: [1])
            let batch = try store.createKey(teamID: team.id, name: nil, prefix: "bbbb2222", hash: [2])
            func charge(_ request: String, key: Int64?, user: String?, cost: Int64, attempt: String = "ok") throws {
                try store.settle(.none, LedgerEntry(teamID: team.id, requestID: request, createdAt: t0, tier: "simple", model: "m", promptTokens: 10,
                                                    completionTokens: 5, usageEstimated: false, costNano: cost, outcome: attempt,
                                                    keyID: key, endUser: user), periodStart: t0)
            }
            try charge("r1", key: web, user: "alice", cost: 100)
            try charge("r2", key: web, user: "bob", cost: 30, attempt: "server_error")
            try charge("r2", key: web, user: "bob", cost: 70)  // a climb: one request, two attempts
            try charge("r3", key: batch, user: nil, cost: 5)
            try charge("r4", key: nil, user: "alice", cost: 1)  // an older row, before keys were recorded

            let byKey = try store.spendReport(team: "apps", by: .key)
            #expect(byKey.map(\.key) == ["-", "aaaa1111 (web)", "bbbb2222"])
            #expect(byKey.map(\.requests) == [1, 2, 1], "requests counted once however many attempts")
            #expect(byKey.map(\.costNano) == [1, 200, 5])
            let byUser = try store.spendReport(team: "apps", by: .user)
            #expect(byUser.map(\.key) == ["-", "alice", "bob"])
            #expect(byUser.map(\.costNano) == [5, 101, 100])
        }
    }

    @Test func aVeryLongEndUserIsCut() {
        let e = LedgerEntry(teamID: 1, requestID: "r", createdAt: t0, tier: nil, model: nil, promptTokens: 0, completionTokens: 0,
                            usageEstimated: false, costNano: 0, outcome: "ok", endUser: String(repeating: "u", count: 10_000))
        #expect(e.endUser?.count == LedgerEntry.maxEndUserLength)
    }
}
