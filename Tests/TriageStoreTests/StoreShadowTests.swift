import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreShadowTests {
    private let day = Date(timeIntervalSince1970: 1_800_000_000)

    private func pending(_ request: String, tier: String = "simple", reserved: Int64, at: Date? = nil, team: Int64? = nil) -> ShadowRecord {
        ShadowRecord(requestID: request, createdAt: at ?? day.addingTimeInterval(60), teamID: team, tier: tier, model: "small",
                     topTier: "complex", topModel: "big", queryHash: "h-" + request, queryText: nil, score: 0.2, reservedNano: reserved)
    }

    @Test func theDailyShadowBudgetCountsRunningReservationsAndFinishedCosts() throws {
        try withStore { store, _ throws in
            let a = try #require(try store.startShadow(pending("r1", reserved: 600), dayStart: day, limitNano: 1_000))
            // 600 reserved + 600 more would exceed 1,000.
            #expect(try store.startShadow(pending("r2", reserved: 600), dayStart: day, limitNano: 1_000) == nil)
            #expect(try store.shadowSpendNano(since: day) == 600)
            // Finishing at the real cost frees the rest.
            try store.finishShadow(id: a, verdict: "worse", detail: "misses the unit", costNano: 250, at: day.addingTimeInterval(61), ledger: [
                LedgerEntry(teamID: 7, requestID: "r1", createdAt: day, tier: "complex", model: "big", promptTokens: 10, completionTokens: 20,
                            usageEstimated: false, costNano: 200, outcome: "shadow"),
                LedgerEntry(teamID: nil, requestID: "r1", createdAt: day, tier: "judge", model: "j", promptTokens: 30, completionTokens: 2,
                            usageEstimated: false, costNano: 50, outcome: "shadow_judge"),
            ])
            #expect(try store.shadowSpendNano(since: day) == 250)
            #expect(try store.startShadow(pending("r2", reserved: 600), dayStart: day, limitNano: 1_000) != nil)
            // Yesterday's spend does not count today.
            #expect(try store.shadowSpendNano(since: day.addingTimeInterval(86_400)) == 0)
            // The ledger rows carry no team, whatever the entry said: no team's spend includes them.
            #expect(try store.ledgerTotalNano(teamID: 7) == 0)
            #expect(try store.ledgerTotalNano() == 250)
            let rows = try store.shadowComparisons()
            #expect(rows.count == 2)
            let done = try #require(rows.first { $0.requestID == "r1" })
            #expect(done.verdict == "worse" && done.costNano == 250 && done.detail == "misses the unit" && done.finishedAt != nil)
            #expect(rows.first { $0.requestID == "r2" }?.verdict == nil)
        }
    }

    @Test func verdictCountsArePerTierAndSkipRunningComparisons() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "research", budgetNano: nil, period: "monthly", softLimit: nil)
            for (i, (tier, verdict)) in [("simple", "as_good"), ("simple", "as_good"), ("simple", "worse"), ("medium", "better"),
                                         ("medium", "unknown")].enumerated() {
                let id = try #require(try store.startShadow(pending("r\(i)", tier: tier, reserved: 1, team: team.id), dayStart: day, limitNano: 1_000))
                try store.finishShadow(id: id, verdict: verdict, detail: nil, costNano: 1, at: day, ledger: [])
            }
            _ = try store.startShadow(pending("running", reserved: 1), dayStart: day, limitNano: 1_000)
            let counts = try store.shadowVerdictCounts()
            #expect(counts == [
                ShadowVerdictCount(tier: "medium", verdict: "better", count: 1), ShadowVerdictCount(tier: "medium", verdict: "unknown", count: 1),
                ShadowVerdictCount(tier: "simple", verdict: "as_good", count: 2), ShadowVerdictCount(tier: "simple", verdict: "worse", count: 1),
            ])
            #expect(try store.shadowVerdictCounts(team: "research").map(\.count).reduce(0, +) == 5)
            #expect(try store.shadowVerdictCounts(team: "nobody").isEmpty)
            #expect(try store.shadowVerdictCounts(since: day.addingTimeInterval(3600)).isEmpty)
            // The running totals agree, and a second finish of the same row counts nothing.
            #expect(try store.shadowVerdictTotals() == counts)
            let first = try #require(try store.shadowComparisons().last)
            try store.finishShadow(id: first.id, verdict: "worse", detail: nil, costNano: 1, at: day, ledger: [])
            #expect(try store.shadowVerdictTotals() == counts)
        }
    }

    @Test func shadowSpendOfOneTeamsRequests() throws {
        try withStore { store, _ throws in
            let a = try store.createTeam(name: "a", budgetNano: nil, period: "monthly", softLimit: nil)
            let b = try store.createTeam(name: "b", budgetNano: nil, period: "monthly", softLimit: nil)
            let done = try #require(try store.startShadow(pending("a1", reserved: 500, team: a.id), dayStart: day, limitNano: 10_000))
            try store.finishShadow(id: done, verdict: "as_good", detail: nil, costNano: 300, at: day, ledger: [])
            _ = try store.startShadow(pending("a2", reserved: 40, team: a.id), dayStart: day, limitNano: 10_000)  // running: its reservation
            _ = try store.startShadow(pending("b1", reserved: 2_000, team: b.id), dayStart: day, limitNano: 10_000)
            _ = try store.startShadow(pending("none", reserved: 7), dayStart: day, limitNano: 10_000)
            #expect(try store.shadowSpendNano(since: day, team: "a") == 340)
            #expect(try store.shadowSpendNano(since: day, team: "b") == 2_000)
            #expect(try store.shadowSpendNano(since: day, team: "nobody") == 0)
            #expect(try store.shadowSpendNano(since: day) == 2_347)
        }
    }

    @Test func theRunningComparisonsOfADeadWorkerAreClosedAsUnknown() throws {
        try withStore { store, _ throws in
            func start(_ request: String, pid: Int32?, host: String? = "h1") throws -> Int64 {
                var p = pending(request, reserved: 100)
                p.ownerPID = pid
                p.ownerHost = pid == nil ? nil : host
                return try #require(try store.startShadow(p, dayStart: day, limitNano: 10_000))
            }
            _ = try start("dead-1", pid: 41)
            _ = try start("dead-2", pid: 41)
            let alive = try start("alive", pid: 42)
            _ = try start("other-host", pid: 41, host: "h2")
            _ = try start("no-owner", pid: nil)
            let finished = try start("finished", pid: 41)
            try store.finishShadow(id: finished, verdict: "as_good", detail: nil, costNano: 30, at: day, ledger: [])
            #expect(try store.shadowSpendNano(since: day) == 530)

            let n = try store.reclaimShadowComparisons(now: day.addingTimeInterval(90), host: "h1", isAlive: { $0 == 42 })
            #expect(n == 2)
            let rows = try store.shadowComparisons()
            for id in ["dead-1", "dead-2"] {
                let r = try #require(rows.first { $0.requestID == id })
                #expect(r.verdict == "unknown" && r.costNano == 0 && r.finishedAt != nil, "\(r)")
                #expect(r.detail == "its worker (pid 41) died before it finished")
            }
            #expect(rows.first { $0.id == alive }?.verdict == nil, "a live worker's comparison runs on")
            #expect(rows.first { $0.requestID == "other-host" }?.verdict == nil, "another host's pids are not ours to judge")
            #expect(rows.first { $0.requestID == "no-owner" }?.verdict == nil)
            #expect(rows.first { $0.requestID == "finished" }?.verdict == "as_good")
            // The dead worker's reservations no longer count against the day's budget.
            #expect(try store.shadowSpendNano(since: day) == 330)
            #expect(try store.shadowVerdictTotals().first { $0.verdict == "unknown" }?.count == 2)
            #expect(try store.reclaimShadowComparisons(now: day, host: "h1", isAlive: { $0 == 42 }) == 0)
        }
    }

    @Test func schemaV8SeedsTheTotalsFromVerdictsStoredBefore() throws {
        try withTempDir { dir throws in
            let db = try SQLiteConnection(path: dir + "/old.sqlite")
            defer { db.close() }
            try Migrations.apply(db, migrations: Array(Migrations.all.prefix(7)))
            for (i, verdict) in ["worse", "worse", "as_good", nil].enumerated() {
                try db.run("""
                    INSERT INTO shadow_comparisons(request_id, created_at, tier, model, top_tier, top_model, query_hash, verdict, reserved_nano)
                    VALUES (?, 0, 'simple', 'm', 'complex', 'M', 'h', ?, 1)
                    """, [.text("r\(i)"), SQLiteValue(verdict)])
            }
            #expect(try Migrations.apply(db, migrations: Array(Migrations.all.prefix(8))) == [8])
            let totals = try db.query("SELECT tier, verdict, count FROM shadow_verdict_totals ORDER BY 2") { "\($0.text(0)) \($0.text(1)) \($0.int(2))" }
            #expect(totals == ["simple as_good 1", "simple worse 2"])
        }
    }

    /// Comparisons stored before schema v9 have no owner, so no reclaim pass can tell whether their
    /// worker is gone; one left running (its worker killed mid-comparison) stayed running forever:
    /// no verdict, and its worst-case reservation counted as shadow spend in every report that
    /// covers its day. Schema v11 closes them as `unknown`, cost 0, as reclaim closes a dead
    /// worker's comparisons.
    @Test func schemaV11ClosesTheComparisonsLeftRunningBeforeV9() throws {
        try withTempDir { dir throws in
            let path = dir + "/old.sqlite"
            let db = try SQLiteConnection(path: path)
            try Migrations.apply(db, migrations: Array(Migrations.all.prefix(7)))
            for (request, tier, verdict, cost) in [("left-1", "simple", nil, 0), ("left-2", "medium", nil, 0), ("left-3", "simple", nil, 0),
                                                   ("done", "simple", "worse", 40)] as [(String, String, String?, Int64)] {
                try db.run("""
                    INSERT INTO shadow_comparisons(request_id, created_at, tier, model, top_tier, top_model, query_hash, verdict, reserved_nano,
                                                   cost_nano, finished_at)
                    VALUES (?, ?, ?, 'm', 'complex', 'M', 'h', ?, 500, ?, ?)
                    """, [.text(request), SQLiteValue(day), .text(tier), SQLiteValue(verdict), .integer(cost),
                          SQLiteValue(verdict == nil ? nil : day.addingTimeInterval(5))])
            }
            #expect(try Migrations.apply(db, migrations: Array(Migrations.all.prefix(8))) == [8])
            #expect(try db.query("SELECT tier, verdict, count FROM shadow_verdict_totals ORDER BY 1, 2") { "\($0.text(0)) \($0.text(1)) \($0.int(2))" }
                    == ["simple worse 1"])
            db.close()

            let before = Date()
            let store = try Store(path: path)
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            // Whatever the host and liveness, a reclaim pass finds nothing left running.
            _ = try store.reclaimShadowComparisons(now: Date(), host: ProcessInfo.processInfo.hostName, isAlive: { _ in false })
            let rows = try store.shadowComparisons()
            for request in ["left-1", "left-2", "left-3"] {
                let r = try #require(rows.first { $0.requestID == request })
                #expect(r.verdict == "unknown" && r.costNano == 0, "\(r)")
                #expect(r.detail == "stored before schema v9 without its worker, and never finished", "\(r)")
                let finished = try #require(r.finishedAt, "\(r)")
                #expect(finished >= before.addingTimeInterval(-1) && finished <= Date().addingTimeInterval(1), "closed at migration time: \(finished)")
            }
            let done = try #require(rows.first { $0.requestID == "done" })
            #expect(done.verdict == "worse" && done.costNano == 40 && done.detail == nil, "a finished comparison is left as it was: \(done)")
            // Their reservations no longer count as shadow spend, and the totals count the verdicts.
            #expect(try store.shadowSpendNano(since: day) == 40)
            #expect(try store.shadowVerdictTotals() == [
                ShadowVerdictCount(tier: "medium", verdict: "unknown", count: 1),
                ShadowVerdictCount(tier: "simple", verdict: "unknown", count: 2), ShadowVerdictCount(tier: "simple", verdict: "worse", count: 1),
            ])
            #expect(try store.shadowVerdictTotals() == store.shadowVerdictCounts())
        }
    }
}
