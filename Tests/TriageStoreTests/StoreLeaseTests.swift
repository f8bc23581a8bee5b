import Foundation
import Testing
@testable import TriageStore

/// Budget leases in the store: a worker's row that counts against the team's budget like any
/// reservation, grows by top-ups, and shrinks by what settled attempts drew and what goes back.
@Suite struct StoreLeaseTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)
    /// What a worker asks for: the need, and up to four times it.
    let fourfold: (Int64, Int64) -> Int64? = { need, headroom in need <= headroom ? min(need * 4, headroom) : nil }

    private func topUp(_ store: Store, _ team: Int64, key: String = "lease:h:1:a", need: Int64, returns: [LeaseReturn] = [], now: Date = t0,
                       grant: ((Int64, Int64) -> Int64?)? = nil) throws -> LeaseTopUp {
        try store.topUpLease(teamID: team, key: key, needNano: need, returns: returns, periodStart: period, now: now, ttl: 60,
                             ownerPID: 1, ownerHost: "h", grant: grant ?? fourfold)
    }

    private func reserved(_ store: Store, _ team: Int64, now: Date = t0) throws -> Int64 {
        try store.budgetStatus(teamID: team, periodStart: period, now: now).reservedNano
    }

    private func entry(_ team: Int64, _ request: String, cost: Int64) -> LedgerEntry {
        LedgerEntry(teamID: team, requestID: request, createdAt: t0, tier: "simple", model: "m", promptTokens: 10,
                    completionTokens: 5, usageEstimated: false, costNano: cost, outcome: "ok")
    }

    @Test func aLeaseIsOneRowThatGrowsAndCountsAgainstEveryoneElse() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            guard case .granted(let row, 400, true, _) = try topUp(store, team.id, need: 100) else { Issue.record("not granted"); return }
            guard case .granted(row, 400, false, _) = try topUp(store, team.id, need: 100) else { Issue.record("not the same row"); return }
            #expect(try reserved(store, team.id) == 800)
            #expect(try store.activeReservationCount(now: t0) == 1)
            // Another process's reservation sees the lease: 800 held, 300 more does not fit.
            let other = try store.reserve(teamID: team.id, requestID: "r", amountNano: 300, periodStart: period, now: t0,
                                          ttl: 60, ownerPID: 2, ownerHost: "h")
            guard case .refused = other else { Issue.record("reserved past the budget: \(other)"); return }
            // A top-up asks for what is left at most; the need itself must fit.
            guard case .granted(_, 200, false, _) = try topUp(store, team.id, need: 100) else { Issue.record("not capped at the headroom"); return }
            guard case .refused(let status) = try topUp(store, team.id, need: 1) else { Issue.record("granted past the budget"); return }
            #expect(status.reservedNano == 1_000)
        }
    }

    @Test func settledDrawsLeaveTheRowUntilTheNextTopUpTakesThemOff() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            guard case .granted(let row, 400, true, _) = try topUp(store, team.id, need: 100) else { Issue.record("not granted"); return }
            // An attempt drew 100 and cost 70: the ledger and spend take 70, the row keeps its 400.
            try store.settle(.lease(rowID: row, key: "lease:h:1:a", amountNano: 100), entry(team.id, "r1", cost: 70), periodStart: period)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 70)
            #expect(try reserved(store, team.id) == 400)
            // The next top-up first takes the settled draw off: 400 - 100 + 400.
            guard case .granted(row, 400, false, let seen) = try topUp(store, team.id, need: 100, returns: [LeaseReturn(rowID: row, key: "lease:h:1:a", amountNano: 100)]) else { Issue.record("not granted"); return }
            #expect(seen.spentNano == 70 && seen.reservedNano == 300, "the headroom it granted from excludes what was owed")
            #expect(try reserved(store, team.id) == 700)
            // What is given back comes off; an empty row goes.
            try store.returnLeases([LeaseReturn(rowID: row, key: "lease:h:1:a", amountNano: 650)])
            #expect(try reserved(store, team.id) == 50)
            try store.returnLeases([LeaseReturn(rowID: row, key: "lease:h:1:a", amountNano: 50)])
            #expect(try store.activeReservationCount(now: t0) == 0)
        }
    }

    @Test func aTopUpTakesWhatAGivenUpLeaseHeldOffBeforeItCountsTheHeadroom() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            guard case .granted(let old, 400, true, _) = try topUp(store, team.id, key: "lease:h:1:a", need: 100) else { Issue.record("not granted"); return }
            try store.settle(.lease(rowID: old, key: "lease:h:1:a", amountNano: 100), entry(team.id, "r1", cost: 100), periodStart: period)
            // The budget was cut to 300: the worker gives the old lease up and leases anew in one
            // transaction, which must see the old row's 400 gone (spent 100 + need 100 fits 300).
            _ = try store.updateTeam(name: "a", budgetNano: .some(300))
            let tight: (Int64, Int64) -> Int64? = { need, headroom in need <= headroom ? need : nil }
            let r = try topUp(store, team.id, key: "lease:h:1:b", need: 100,
                              returns: [LeaseReturn(rowID: old, key: "lease:h:1:a", amountNano: 400)], grant: tight)
            guard case .granted(_, 100, true, let seen) = r else { Issue.record("refused: \(r)"); return }
            #expect(seen.spentNano == 100 && seen.reservedNano == 0)
            #expect(try store.activeReservationCount(now: t0) == 1, "the emptied row is gone")
        }
    }

    @Test func returnsMatchTheKeySoAReusedRowIDKeepsItsMoney() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            guard case .granted(let row, _, _, _) = try topUp(store, team.id, key: "lease:h:1:a", need: 100) else { Issue.record("not granted"); return }
            try store.returnLeases([LeaseReturn(rowID: row, key: "lease:h:1:other", amountNano: 400)])
            #expect(try reserved(store, team.id) == 400)
        }
    }

    @Test func aLapsedLeaseIsMadeAnew() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            guard case .granted = try topUp(store, team.id, need: 100) else { Issue.record("not granted"); return }
            let later = t0.addingTimeInterval(61)
            #expect(try reserved(store, team.id, now: later) == 0, "a lapsed lease counts no more")
            guard case .granted(_, 400, true, _) = try topUp(store, team.id, need: 100, now: later) else { Issue.record("not made anew"); return }
            #expect(try reserved(store, team.id, now: later) == 400)
            #expect(try store.read { db in try db.query("SELECT count(*) FROM reservations") { $0.int(0) } } == [1], "the lapsed row is gone")
        }
    }

    @Test func aTeamWithoutABudgetLeasesNothing() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "free", budgetNano: nil, period: "total", softLimit: nil)
            guard case .unlimited = try topUp(store, team.id, need: 100) else { Issue.record("leased without a budget"); return }
            #expect(try store.activeReservationCount(now: t0) == 0)
        }
    }
}
