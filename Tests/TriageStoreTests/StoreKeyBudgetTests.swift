import Foundation
import Testing
@testable import TriageStore

/// A key's own budget: checked with the team's in the reservation's transaction, charged at
/// settlement, counted from what the key spent before it was set, and shared across a rotation.
@Suite struct StoreKeyBudgetTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)

    private func entry(_ team: Int64, _ request: String, cost: Int64, key: Int64, budgetKey: Int64?) -> LedgerEntry {
        LedgerEntry(teamID: team, requestID: request, createdAt: t0, tier: "simple", model: "m", promptTokens: 10, completionTokens: 5,
                    usageEstimated: false, costNano: cost, outcome: "ok", keyID: key, budgetKeyID: budgetKey)
    }

    private func reserve(_ store: Store, team: Int64, _ request: String, _ amount: Int64, key: Int64?) throws -> ReservationResult {
        try store.reserve(teamID: team, requestID: request, amountNano: amount, periodStart: period, now: t0, ttl: 60, ownerPID: 1,
                          ownerHost: "h", budgetKeyID: key)
    }

    private func newKey(_ store: Store, team: Int64, _ prefix: String, budget: Int64? = nil) throws -> APIKeyRecord {
        let id = try store.createKey(teamID: team, name: prefix, prefix: prefix, hash: [1], budgetNano: budget)
        return try #require(try store.keys(teamID: team).first { $0.id == id })
    }

    @Test func aKeysBudgetRefusesWhatItsTeamWouldStillAllowAndLeavesTheTeamsOtherKeysAlone() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 10_000, period: "monthly", softLimit: nil)
            let capped = try newKey(store, team: team.id, "capped", budget: 1_000)
            let free = try newKey(store, team: team.id, "free")
            #expect(capped.budgetNano == 1_000 && capped.budgetKeyID == capped.id)
            #expect(free.budgetNano == nil && free.budgetKeyID == nil)

            guard case .reserved(let first, _, _) = try reserve(store, team: team.id, "r1", 600, key: capped.id) else {
                Issue.record("the first 600 fits the key's 1,000"); return
            }
            // 600 reserved + 600 passes the key's budget, not the team's.
            guard case .keyRefused(let key, let status) = try reserve(store, team: team.id, "r2", 600, key: capped.id) else {
                Issue.record("the key's budget refuses"); return
            }
            #expect(key.keyID == capped.id && key.prefix == "capped" && key.budgetNano == 1_000 && key.reservedNano == 600 && key.spentNano == 0)
            #expect(status.reservedNano == 600, "the key's reservation counts against the team too")
            guard case .reserved = try reserve(store, team: team.id, "r3", 600, key: nil) else {
                Issue.record("another key of the team is not held by the capped key's budget"); return
            }

            // Settled at 250, the key has 750 left: 600 fits again, 800 does not.
            try store.settle(.row(first), entry(team.id, "r1", cost: 250, key: capped.id, budgetKey: capped.id), periodStart: period)
            let after = try #require(try store.keyBudgetStatus(keyID: capped.id, periodStart: period, now: t0))
            #expect(after.spentNano == 250 && after.reservedNano == 0)
            guard case .keyRefused = try reserve(store, team: team.id, "r4", 800, key: capped.id) else { Issue.record("800 > 750 left"); return }
            guard case .reserved = try reserve(store, team: team.id, "r5", 600, key: capped.id) else { Issue.record("600 ≤ 750 left"); return }
            #expect(try store.keyBudgetStatus(keyID: free.id, periodStart: period, now: t0) == nil)
        }
    }

    @Test func aKeyWithABudgetIsHeldToItEvenWhenItsTeamHasNone() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "open", budgetNano: nil, period: "daily", softLimit: nil)
            let key = try newKey(store, team: team.id, "k", budget: 500)
            guard case .reserved(let id, _, _) = try reserve(store, team: team.id, "r1", 400, key: key.id) else { Issue.record("fits"); return }
            guard case .keyRefused = try reserve(store, team: team.id, "r2", 400, key: key.id) else { Issue.record("refused"); return }
            #expect(try store.activeReservationCount(now: t0) == 1)
            try store.settle(.row(id), entry(team.id, "r1", cost: 400, key: key.id, budgetKey: key.id), periodStart: period)
            #expect(try store.activeReservationCount(now: t0) == 0)
            #expect(try store.keyBudgetStatus(keyID: key.id, periodStart: period, now: t0)?.spentNano == 400)
            // Without a key budget, a team without one reserves nothing.
            guard case .unlimited = try reserve(store, team: team.id, "r3", 1 << 40, key: nil) else { Issue.record("unlimited"); return }
        }
    }

    @Test func aBudgetSetLaterCountsWhatTheKeyAlreadySpentThisPeriodAndIsAudited() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: nil, period: "monthly", softLimit: nil)
            let key = try newKey(store, team: team.id, "k")
            let other = try newKey(store, team: team.id, "o")
            try store.settle(.none, entry(team.id, "r1", cost: 300, key: key.id, budgetKey: nil), periodStart: period)
            try store.settle(.none, entry(team.id, "r2", cost: 900, key: other.id, budgetKey: nil), periodStart: period)
            try store.settle(.none, entry(team.id, "old", cost: 5_000, key: key.id, budgetKey: nil), periodStart: period.addingTimeInterval(-86_400 * 31))

            let set = try #require(try store.setKeyBudget(key.prefix, budgetNano: 1_000, periodStart: { _ in period }, by: "cli test@host", now: t0))
            #expect(set.budgetNano == 1_000 && set.budgetKeyID == key.id)
            let status = try #require(try store.keyBudgetStatus(keyID: key.id, periodStart: period, now: t0))
            #expect(status.spentNano == 300, "this period's spend by this key only: \(status)")
            guard case .keyRefused = try reserve(store, team: team.id, "r3", 701, key: key.id) else { Issue.record("300 + 701 > 1,000"); return }

            #expect(try store.setKeyBudget(String(key.id), budgetNano: nil, periodStart: { _ in period }, by: "cli test@host", now: t0)?.budgetNano == nil)
            #expect(try store.setKeyBudget("nope", budgetNano: 1, periodStart: { _ in period }) == nil)
            let audit = try store.auditEvents().filter { $0.action == .keyUpdate }.map(\.detail)
            #expect(audit == ["key k (id \(key.id)): budget $0.000001 → none", "key k (id \(key.id)): budget none → $0.000001"], "\(audit)")
        }
    }

    @Test func aRotatedKeySharesTheBudgetAndSpendOfTheKeyItReplaced() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: nil, period: "monthly", softLimit: nil)
            let old = try newKey(store, team: team.id, "old", budget: 1_000)
            try store.settle(.none, entry(team.id, "r1", cost: 700, key: old.id, budgetKey: old.id), periodStart: period)
            guard case .rotated(_, let newID, _) = try store.rotateKey("old", newPrefix: "new", newHash: [2], newExpiresAt: { _ in nil },
                                                                     oldExpiresAt: t0.addingTimeInterval(3600), now: t0) else {
                Issue.record("rotated"); return
            }
            let new = try #require(try store.keys(teamID: team.id).first { $0.id == newID })
            #expect(new.budgetNano == 1_000 && new.budgetKeyID == old.id, "\(new)")
            guard case .keyRefused(let key, _) = try reserve(store, team: team.id, "r2", 400, key: new.budgetKeyID) else {
                Issue.record("the old key's 700 counts for the new one"); return
            }
            #expect(key.keyID == old.id && key.spentNano == 700)
            // Setting the new key's budget sets the one they share.
            _ = try store.setKeyBudget("new", budgetNano: 2_000, periodStart: { _ in period }, now: t0)
            #expect(try store.keys(teamID: team.id).filter { $0.budgetNano == 2_000 }.count == 2)
            #expect(try store.keyBudgetStatus(keyID: newID, periodStart: period, now: t0)?.spentNano == 700)
        }
    }
}
