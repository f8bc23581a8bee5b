import Foundation
import Testing
@testable import TriageStore

@Suite struct SettlementJournalTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)

    private func entry(_ team: Int64?, _ request: String, cost: Int64, user: String? = nil, at: Date = Date()) -> LedgerEntry {
        LedgerEntry(teamID: team, requestID: request, createdAt: at, tier: "simple", model: "gpt-4o-mini", promptTokens: 12,
                    completionTokens: 30, usageEstimated: false, costNano: cost, outcome: "ok", keyID: 3, endUser: user)
    }

    /// The ledger rows of one request, oldest first.
    private func rows(_ store: Store, _ request: String) throws -> [(outcome: String, completion: Int64, cost: Int64)] {
        try store.read { db in
            try db.query("SELECT outcome, completion_tokens, cost_nano FROM ledger WHERE request_id = ? ORDER BY id", [.text(request)]) {
                ($0.text(0), $0.int64(1), $0.int64(2))
            }
        }
    }

    private func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".jsonl") }
    }

    @Test func aRecordSurvivesItsLineExactly() {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} é 🙂"
        let records = [
            SettlementRecord(hold: .none, entry: entry(nil, "r-1", cost: 0), periodStart: period),
            SettlementRecord(hold: .row(42), entry: entry(7, "r-2", cost: 123_456_789, user: awkward,
                                                          at: Date(timeIntervalSince1970: 1_764_556_800.123_456_7)), periodStart: period),
            SettlementRecord(hold: .lease(rowID: 9, key: "lease:host:12:abc", amountNano: 5_000), entry: entry(8, "r-3", cost: 1),
                             periodStart: Date(timeIntervalSince1970: 0.1)),
        ]
        for var record in records {
            record.entry.budgetKeyID = record.entry.teamID
            record.entry.usageEstimated = record.entry.teamID == 8
            if record.entry.teamID == 7 { (record.entry.cachedTokens, record.entry.cacheWriteTokens) = (1_920, 64) }
            let line = record.line
            #expect(line.last == 0x0A)
            #expect(line.dropLast().allSatisfy { $0 != 0x0A }, "one record, one line")
            #expect(SettlementRecord(line: line.dropLast()) == record)
        }
        // Dates keep every bit, so a replay finds the row its owner may have committed.
        for _ in 0..<1_000 {
            let at = Date(timeIntervalSince1970: Double.random(in: 1_700_000_000...1_900_000_000))
            let record = SettlementRecord(hold: .none, entry: entry(1, "r", cost: 1, at: at), periodStart: at)
            #expect(SettlementRecord(line: record.line.dropLast())?.entry.createdAt == at)
        }
        let checkpoint = SettlementRecord(hold: .row(5), entry: entry(1, "r-4", cost: 77), periodStart: period, checkpoint: true)
        #expect(SettlementRecord(line: checkpoint.line.dropLast()) == checkpoint)
        #expect(SettlementRecord(line: checkpoint.line.dropLast())?.checkpoint == true)
        #expect(SettlementRecord(line: Array("{\"v\":1,\"request\":\"r\"".utf8)) == nil, "a line cut short is no record")
        #expect(SettlementRecord(line: Array("junk".utf8)) == nil)
    }

    /// The segment a worker killed between its answers and their commits leaves behind: the
    /// next reclaim pass charges what never committed, once, and only that.
    @Test func anAbandonedJournalIsChargedExactlyOnce() throws {
        try withStore { store, path throws in
            let team = try store.createTeam(name: "a", budgetNano: 10_000, period: "monthly", softLimit: nil)
            var holds: [ReservationHold] = []
            for r in ["r1", "r2", "r5"] {
                let result = try store.reserve(teamID: team.id, requestID: r, amountNano: 1_000, periodStart: period, now: t0,
                                               ttl: 600, ownerPID: 999_999, ownerHost: "h")
                guard case .reserved(let id, _, _) = result else { Issue.record("not reserved: \(result)"); return }
                holds.append(.row(id))
            }
            let committed = SettlementRecord(hold: holds[0], entry: entry(team.id, "r1", cost: 250), periodStart: period)
            let lost = SettlementRecord(hold: holds[1], entry: entry(team.id, "r2", cost: 300), periodStart: period)
            let leased = SettlementRecord(hold: .lease(rowID: 77, key: "lease:h:999999:x", amountNano: 1_000),
                                          entry: entry(team.id, "r3", cost: 400), periodStart: period)
            // r1 committed before its worker died; r2 and r3 did not; the last line was cut short;
            // r5 was still waiting for its upstream.
            try store.settle(committed.hold, committed.entry, periodStart: period)
            let dir = SettlementJournal.directory(forStore: path)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let text = committed.line + lost.line + leased.line + Array("{\"v\":1,\"request\":\"r4\",\"cre".utf8)
            try Data(text).write(to: URL(fileURLWithPath: dir + "/h-999999-1-1.jsonl"))

            let pass = try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir)
            #expect(pass.replayed == 2)
            #expect(pass.reservations == 1, "r2's reservation went with its settlement, r5's with its dead owner")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 950)
            let status = try store.budgetStatus(teamID: team.id, periodStart: period, now: t0)
            #expect(status.spentNano == 950 && status.reservedNano == 0)
            #expect(files(dir).isEmpty, "a replayed segment is deleted")

            let again = try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir)
            #expect(again.replayed == 0)
            // Replayed again (a pass that died before deleting the file): still charged once.
            try Data(committed.line + lost.line + leased.line).write(to: URL(fileURLWithPath: dir + "/h-999999-1-2.jsonl"))
            #expect(try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir).replayed == 0)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 950)
        }
    }

    /// Streams in progress when their worker died: the last checkpoint of each attempt is charged
    /// once (the provider billed what it generated), unless the attempt's own settlement is in.
    @Test func aDeadWorkersStreamInProgressIsChargedItsLastCheckpointOnce() throws {
        try withStore { store, path throws in
            let team = try store.createTeam(name: "a", budgetNano: 100_000, period: "monthly", softLimit: nil)
            var holds: [ReservationHold] = []
            for r in ["s1", "s2"] {
                let result = try store.reserve(teamID: team.id, requestID: r, amountNano: 5_000, periodStart: period, now: t0,
                                               ttl: 600, ownerPID: 999_999, ownerHost: "h")
                guard case .reserved(let id, _, _) = result else { Issue.record("not reserved: \(result)"); return }
                holds.append(.row(id))
            }
            let started = Date(timeIntervalSince1970: 1_800_000_100.25)
            func checkpoint(_ hold: ReservationHold, _ request: String, tokens: Int, cost: Int64, tier: String = "simple") -> SettlementRecord {
                var e = entry(team.id, request, cost: cost, at: started)
                e.completionTokens = tokens
                e.outcome = "worker_lost"
                e.tier = tier
                return SettlementRecord(hold: hold, entry: e, periodStart: period, checkpoint: true)
            }
            // s1 died mid-stream after three checkpoints; s2's stream settled (its row is in) before the
            // worker died; s3's first attempt settled (a failure, then a climb) and its second died mid-stream.
            var s2Final = entry(team.id, "s2", cost: 900, at: started.addingTimeInterval(2))
            s2Final.outcome = "ok"
            try store.settle(holds[1], s2Final, periodStart: period)
            var s3First = entry(team.id, "s3", cost: 100, at: started.addingTimeInterval(-1))
            s3First.outcome = "server_error"
            try store.settle(.none, s3First, periodStart: period)
            let lines = [checkpoint(holds[0], "s1", tokens: 1, cost: 110), checkpoint(holds[1], "s2", tokens: 4, cost: 300),
                         checkpoint(holds[0], "s1", tokens: 130, cost: 400), checkpoint(.none, "s3", tokens: 9, cost: 60, tier: "medium"),
                         checkpoint(holds[0], "s1", tokens: 260, cost: 700)]
            let dir = SettlementJournal.directory(forStore: path)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(lines.flatMap(\.line)).write(to: URL(fileURLWithPath: dir + "/h-999999-1-1.jsonl"))
            #expect(try store.unchargedSettlements(journals: dir) == 2)

            // A segment whose lock is held a moment longer (a child process another test is spawning
            // holds a copy of the descriptor until its exec) waits for the next pass, as in a cluster.
            var pass = try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir)
            for _ in 0..<20 where pass.replayed == 0 {
                Thread.sleep(forTimeInterval: 0.05)
                pass = try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir)
            }
            #expect(pass.replayed == 2, "s1's last checkpoint and s3's")
            #expect(pass.reservations == 0, "s1's reservation went with its checkpoint's settlement")
            let s1 = try rows(store, "s1")
            #expect(s1.count == 1 && s1.first?.cost == 700 && s1.first?.outcome == "worker_lost" && s1.first?.completion == 260, "\(s1)")
            #expect(try rows(store, "s2").map(\.cost) == [900], "a settled attempt's checkpoints are not charged")
            #expect(try rows(store, "s3").map(\.cost) == [100, 60])
            #expect(try store.ledgerTotalNano(teamID: team.id) == 700 + 900 + 60 + 100)
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: t0).reservedNano == 0)

            // A pass that died before deleting the segment: replayed again, still charged once.
            try Data(lines.flatMap(\.line)).write(to: URL(fileURLWithPath: dir + "/h-999999-1-2.jsonl"))
            #expect(try store.unchargedSettlements(journals: dir) == 0)
            #expect(try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir).replayed == 0)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 700 + 900 + 60 + 100)
        }
    }

    /// Whole (non-stream) calls in progress when their worker died: each journaled its prompt as a
    /// checkpoint before the call. One the worker died during is charged that prompt; one whose answer
    /// came and whose settlement was journaled (the worker died before it committed, and before the
    /// checkpoint was let go) is charged its settlement alone.
    @Test func aDeadWorkersWholeCallIsChargedItsPromptUnlessItsSettlementWasJournaled() throws {
        try withStore { store, path throws in
            let team = try store.createTeam(name: "w", budgetNano: 100_000, period: "monthly", softLimit: nil)
            let started = Date(timeIntervalSince1970: 1_800_000_200.5)
            func prompt(_ request: String) -> SettlementRecord {
                var e = entry(team.id, request, cost: 40, at: started)
                e.completionTokens = 0
                e.usageEstimated = true
                e.outcome = "worker_lost"
                return SettlementRecord(hold: .none, entry: e, periodStart: period, checkpoint: true)
            }
            // w1 died during its call; w2's answer came, its settlement journaled 0.3 s later; w3's
            // first attempt's settlement (a failure) is journaled, its second attempt on the same tier died.
            let w2Answer = SettlementRecord(hold: .none, entry: entry(team.id, "w2", cost: 500, at: started.addingTimeInterval(0.3)), periodStart: period)
            var w3Failed = entry(team.id, "w3", cost: 0, at: started.addingTimeInterval(0.1))
            w3Failed.outcome = "server_error"
            var w3Retry = prompt("w3")
            w3Retry.entry.createdAt = started.addingTimeInterval(0.2)
            let lines = [prompt("w1"), prompt("w2"), w2Answer, prompt("w3"), SettlementRecord(hold: .none, entry: w3Failed, periodStart: period), w3Retry]
            let dir = SettlementJournal.directory(forStore: path)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(lines.flatMap(\.line)).write(to: URL(fileURLWithPath: dir + "/h-999998-1-1.jsonl"))
            #expect(try store.unchargedSettlements(journals: dir) == 4, "w1's prompt, w2's answer, w3's failure and its retry's prompt")

            let pass = try store.reclaim(now: t0, host: "h", isAlive: { _ in false }, journals: dir)
            #expect(pass.replayed == 4)
            let w1 = try rows(store, "w1")
            #expect(w1.count == 1 && w1.first?.outcome == "worker_lost" && w1.first?.completion == 0 && w1.first?.cost == 40, "\(w1)")
            #expect(try rows(store, "w2").map(\.cost) == [500], "an answered call's checkpoint is not charged beside its settlement")
            #expect(try rows(store, "w3").map(\.outcome) == ["server_error", "worker_lost"])
            #expect(try store.ledgerTotalNano(teamID: team.id) == 40 + 500 + 0 + 40)
            #expect(try store.unchargedSettlements(journals: dir) == 0)
        }
    }

    /// A live worker's segments are locked: a reclaim pass leaves them alone, and the worker
    /// deletes each once everything in it has committed.
    @Test func aLiveJournalIsLeftAloneAndCleansUpAfterItself() throws {
        try withStore { store, path throws in
            let dir = SettlementJournal.directory(forStore: path)
            // Every line starts a new segment, so rotation is exercised too.
            let journal = try SettlementJournal(storePath: path, owner: "host/1", segmentBytes: 1)
            let records = (1...3).map { SettlementRecord(hold: .none, entry: entry(nil, "r\($0)", cost: 10), periodStart: period) }
            let tickets = records.compactMap(journal.append)
            #expect(tickets.count == 3 && journal.pending == 3)
            #expect(files(dir).count == 4, "three written segments and the current one")
            #expect(files(dir).allSatisfy { $0.hasPrefix("host_1-") }, "the owner's name is made safe for a file name")
            // Ledger rows name requests, keys and end users: only the cluster's user reads them.
            let fm = FileManager.default
            #expect((try fm.attributesOfItem(atPath: dir)[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            #expect(try files(dir).allSatisfy { (try fm.attributesOfItem(atPath: dir + "/" + $0)[.posixPermissions] as? NSNumber)?.intValue == 0o600 })

            #expect(try store.reclaim(now: t0, host: "h", isAlive: { _ in true }, journals: dir).replayed == 0)
            #expect(files(dir).count == 4)
            #expect(try store.ledgerTotalNano() == 0)

            journal.committed(tickets[1])
            #expect(files(dir).count == 3, "a replaced segment goes once all of it committed")
            journal.close()
            #expect(journal.append(records[0]) == nil, "a closed journal takes nothing")
            #expect(files(dir).count == 2, "closing deletes the current segment; the pending ones stay, locked")
            #expect(try store.reclaim(now: t0, host: "h", isAlive: { _ in true }, journals: dir).replayed == 0)
            journal.committed(tickets[0])
            journal.committed(tickets[2])
            #expect(files(dir).isEmpty && journal.pending == 0)
        }
    }
}
