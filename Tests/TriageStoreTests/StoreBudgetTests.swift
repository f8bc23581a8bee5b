import Foundation
import Synchronization
import Testing
@testable import TriageStore

@Suite struct StoreBudgetTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)

    private func entry(_ team: Int64?, _ request: String, cost: Int64, at: Date = t0) -> LedgerEntry {
        LedgerEntry(teamID: team, requestID: request, createdAt: at, tier: "simple", model: "m", promptTokens: 10,
                    completionTokens: 5, usageEstimated: false, costNano: cost, outcome: "ok")
    }

    @Test func reservationsCountAgainstTheBudgetUntilSettled() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            let first = try store.reserve(teamID: team.id, requestID: "r1", amountNano: 600, periodStart: period, now: t0,
                                          ttl: 60, ownerPID: 1, ownerHost: "h")
            guard case .reserved(let id, let status, _) = first else { Issue.record("not reserved: \(first)"); return }
            #expect(status.spentNano == 0 && status.reservedNano == 0)
            // 600 reserved + 600 more would exceed 1,000.
            let second = try store.reserve(teamID: team.id, requestID: "r2", amountNano: 600, periodStart: period, now: t0,
                                           ttl: 60, ownerPID: 1, ownerHost: "h")
            guard case .refused(let refused) = second else { Issue.record("not refused: \(second)"); return }
            #expect(refused.reservedNano == 600)
            // Settling at the actual cost frees the rest of the reservation.
            try store.settle(.row(id), entry(team.id, "r1", cost: 250), periodStart: period)
            let after = try store.budgetStatus(teamID: team.id, periodStart: period, now: t0)
            #expect(after.spentNano == 250 && after.reservedNano == 0 && after.remainingNano == 750)
            let third = try store.reserve(teamID: team.id, requestID: "r3", amountNano: 600, periodStart: period, now: t0,
                                          ttl: 60, ownerPID: 1, ownerHost: "h")
            guard case .reserved = third else { Issue.record("not reserved: \(third)"); return }
            #expect(try store.ledgerTotalNano(teamID: team.id) == 250)
        }
    }

    @Test func unlimitedTeamsReserveNothingButStillGetLedgerRows() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "free", budgetNano: nil, period: "total", softLimit: nil)
            let r = try store.reserve(teamID: team.id, requestID: "r", amountNano: 1 << 40, periodStart: period, now: t0,
                                      ttl: 60, ownerPID: 1, ownerHost: "h")
            guard case .unlimited = r else { Issue.record("expected unlimited: \(r)"); return }
            try store.settle(.none, entry(team.id, "r", cost: 42), periodStart: period)
            #expect(try store.ledgerTotalNano() == 42)
            #expect(try store.activeReservationCount(now: t0) == 0)
        }
    }

    @Test func spendOfAnotherPeriodDoesNotCount() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "p", budgetNano: 100, period: "daily", softLimit: nil)
            try store.settle(.none, entry(team.id, "old", cost: 100), periodStart: period)
            let next = period.addingTimeInterval(86_400)
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: t0).spentNano == 100)
            #expect(try store.budgetStatus(teamID: team.id, periodStart: next, now: t0).spentNano == 0)
            // The old spend is never erased.
            #expect(try store.ledgerTotalNano(teamID: team.id) == 100)
        }
    }

    @Test func expiredAndDeadOwnersReservationsAreReclaimed() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "r", budgetNano: 1_000, period: "monthly", softLimit: nil)
            for (pid, ttl) in [(Int32(11), 10.0), (12, 1_000), (13, 1_000)] {
                _ = try store.reserve(teamID: team.id, requestID: "x\(pid)", amountNano: 100, periodStart: period, now: t0,
                                      ttl: ttl, ownerPID: pid, ownerHost: "h")
            }
            #expect(try store.activeReservationCount(now: t0) == 3)
            // An expired reservation no longer counts, even before it is deleted.
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: t0.addingTimeInterval(20)).reservedNano == 200)
            let n = try store.reclaim(now: t0.addingTimeInterval(20), host: "h", isAlive: { $0 != 12 }).reservations
            #expect(n == 2)
            #expect(try store.activeReservationCount(now: t0) == 1)
        }
    }

    @Test func concurrentReservationsNeverOverbook() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir)
            let setup = try Store(path: path)
            let team = try setup.createTeam(name: "c", budgetNano: 10_000, period: "monthly", softLimit: nil)
            setup.close()
            let period = self.period
            let granted = Mutex(0)
            let errors = onThreads(8) { index in
                let store = try Store(path: path)
                defer { store.close() }
                for i in 0..<50 {
                    let r = try store.reserve(teamID: team.id, requestID: "t\(index)-\(i)", amountNano: 100, periodStart: period,
                                              now: t0, ttl: 600, ownerPID: Int32(index), ownerHost: "h")
                    if case .reserved(let id, _, _) = r {
                        granted.withLock { $0 += 1 }
                        try store.settle(.row(id), LedgerEntry(teamID: team.id, requestID: "t\(index)-\(i)", createdAt: t0,
                                                                       tier: nil, model: nil, promptTokens: 1, completionTokens: 1,
                                                                       usageEstimated: false, costNano: 100, outcome: "ok"),
                                         periodStart: period)
                    }
                }
            }
            #expect(errors == [])
            let store = try Store(path: path)
            defer { store.close() }
            // 400 attempts of 100 against 10,000: exactly 100 granted, and the ledger matches.
            #expect(granted.withLock { $0 } == 100)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 10_000)
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test func teamsAndKeysRoundTripAndRevoke() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "k", budgetNano: 5, period: "weekly", softLimit: 0.8)
            #expect(throws: StoreError.self) { try store.createTeam(name: "k", budgetNano: nil, period: "monthly", softLimit: nil) }
            let id = try store.createKey(teamID: team.id, name: "laptop", prefix: "abcd0123", hash: [1, 2, 3])
            let k = try #require(try store.key(prefix: "abcd0123"))
            #expect(k.id == id && k.teamName == "k" && k.hash == [1, 2, 3] && k.revokedAt == nil)
            #expect(try store.revokeKey("abcd0123"))
            #expect(try store.key(prefix: "abcd0123")?.revokedAt != nil)
            #expect(try !store.revokeKey("abcd0123"))
            let expires = Date(timeIntervalSince1970: 1_900_000_000)
            _ = try store.createKey(teamID: team.id, name: nil, prefix: "exp00001", hash: [4], expiresAt: expires)
            #expect(try store.key(prefix: "exp00001")?.expiresAt == expires)
            #expect(try store.key(prefix: "abcd0123")?.expiresAt == nil, "a key without an expiry never expires")
            let updated = try store.updateTeam(name: "k", budgetNano: .some(nil), softLimit: .some(nil))
            #expect(updated?.budgetNano == nil && updated?.softLimit == nil && updated?.period == "weekly")
            #expect(try store.deleteTeam(name: "k"))
            #expect(try store.keys().isEmpty)
        }
    }

    /// A team or key made after one was deleted never takes over the deleted one's id, and with it
    /// its spend, its ledger rows and its place in reports.
    @Test func aNewTeamOrKeyNeverInheritsTheSpendOfADeletedOne() throws {
        try withStore { store, _ throws in
            _ = try store.createTeam(name: "a", budgetNano: 10_000, period: "monthly", softLimit: nil)
            let b = try store.createTeam(name: "b", budgetNano: 10_000, period: "monthly", softLimit: nil)
            let bKey = try store.createKey(teamID: b.id, name: nil, prefix: "bbbb0000", hash: [1])
            _ = try store.setKeyBudget("bbbb0000", budgetNano: 5_000, periodStart: { _ in self.period }, now: t0)
            let r = try store.reserve(teamID: b.id, requestID: "r1", amountNano: 900, periodStart: period, now: t0, ttl: 60, ownerPID: 1,
                                      ownerHost: "h", budgetKeyID: bKey)
            guard case .reserved(let id, _, _) = r else { Issue.record("not reserved: \(r)"); return }
            var e = entry(b.id, "r1", cost: 900)
            e.keyID = bKey
            e.budgetKeyID = bKey
            try store.settle(.row(id), e, periodStart: period)
            #expect(try store.budgetStatus(teamID: b.id, periodStart: period, now: t0).spentNano == 900)
            #expect(try store.deleteTeam(name: "b"))

            let c = try store.createTeam(name: "c", budgetNano: 10_000, period: "monthly", softLimit: nil)
            #expect(c.id != b.id, "a deleted team's id is not reused")
            #expect(try store.budgetStatus(teamID: c.id, periodStart: period, now: t0).spentNano == 0)
            #expect(try store.ledgerTotalNano(teamID: c.id) == 0)
            let cKey = try store.createKey(teamID: c.id, name: nil, prefix: "cccc0000", hash: [2])
            #expect(cKey != bKey, "a deleted key's id is not reused")
            _ = try store.setKeyBudget("cccc0000", budgetNano: 5_000, periodStart: { _ in self.period }, now: t0)
            #expect(try store.keyBudgetStatus(keyID: cKey, periodStart: period, now: t0)?.spentNano == 0)
        }
    }

    @Test func aTeamsRequestRateLimitIsStoredChangedAndReadWithItsKeys() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "r", budgetNano: nil, period: "monthly", softLimit: nil, requestsPerMinute: 600)
            #expect(team.requestsPerMinute == 600)
            #expect(try store.team(named: "r")?.requestsPerMinute == 600)
            _ = try store.createKey(teamID: team.id, name: nil, prefix: "rrrr0000", hash: [9])
            #expect(try store.key(prefix: "rrrr0000")?.teamRequestsPerMinute == 600, "the coordinator reads the limit with the key")
            #expect(try store.updateTeam(name: "r", softLimit: .some(0.5))?.requestsPerMinute == 600, "other changes leave it")
            #expect(try store.updateTeam(name: "r", requestsPerMinute: .some(30))?.requestsPerMinute == 30)
            #expect(try store.key(prefix: "rrrr0000")?.teamRequestsPerMinute == 30)
            #expect(try store.updateTeam(name: "r", requestsPerMinute: .some(nil))?.requestsPerMinute == nil)
            #expect(try store.key(prefix: "rrrr0000")?.teamRequestsPerMinute == nil)
            let plain = try store.createTeam(name: "p", budgetNano: nil, period: "monthly", softLimit: nil)
            #expect(plain.requestsPerMinute == nil)
            #expect(try store.team(id: plain.id)?.requestsPerMinute == nil)
        }
    }

    @Test func aTeamsTokenRateLimitIsStoredChangedAndReadWithItsKeysApartFromItsRequestLimit() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "t", budgetNano: nil, period: "monthly", softLimit: nil, requestsPerMinute: 60,
                                            tokensPerMinute: 40_000)
            #expect(team.tokensPerMinute == 40_000)
            #expect(try store.team(named: "t")?.tokensPerMinute == 40_000)
            _ = try store.createKey(teamID: team.id, name: nil, prefix: "tttt0000", hash: [7])
            let key = try #require(try store.key(prefix: "tttt0000"))
            #expect(key.teamTokensPerMinute == 40_000 && key.teamRequestsPerMinute == 60, "both limits are read with the key")
            #expect(try store.updateTeam(name: "t", requestsPerMinute: .some(nil))?.tokensPerMinute == 40_000, "removing one leaves the other")
            #expect(try store.updateTeam(name: "t", tokensPerMinute: .some(90_000))?.tokensPerMinute == 90_000)
            #expect(try store.key(prefix: "tttt0000")?.teamTokensPerMinute == 90_000)
            #expect(try store.updateTeam(name: "t", tokensPerMinute: .some(nil))?.tokensPerMinute == nil)
            #expect(try store.key(prefix: "tttt0000")?.teamTokensPerMinute == nil)
        }
    }
}
