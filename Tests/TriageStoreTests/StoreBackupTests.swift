import Foundation
import Testing
import TriageStore

/// `triage backup`: a consistent, checked copy of a live store that never overwrites.
@Suite struct StoreBackupTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)

    private func charge(_ store: Store, team: Int64, request: String, cost: Int64) throws {
        let r = try store.reserve(teamID: team, requestID: request, amountNano: cost, periodStart: period, now: t0, ttl: 60, ownerPID: 1, ownerHost: "h")
        guard case .reserved(let id, _, _) = r else { Issue.record("not reserved: \(r)"); return }
        try store.settle(.row(id), LedgerEntry(teamID: team, requestID: request, createdAt: t0, tier: "simple", model: "m", promptTokens: 1,
                                               completionTokens: 1, usageEstimated: false, costNano: cost, outcome: "ok"), periodStart: period)
    }

    @Test func aBackupTakenWhileAnotherConnectionWritesHoldsWhatWasCommittedAndOpensAsAStore() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir + "/live")
            let store = try Store(path: path)
            defer { store.close() }
            let team = try store.createTeam(name: "research", budgetNano: 1_000_000, period: "monthly", softLimit: nil, requestsPerMinute: 60)
            _ = try store.createKey(teamID: team.id, name: nil, prefix: "abcd0123", hash: [1, 2, 3])
            try charge(store, team: team.id, request: "r1", cost: 700)
            try charge(store, team: team.id, request: "r2", cost: 300)
            try store.logRequest(RequestLogEntry(id: "r1", createdAt: t0, teamID: team.id, status: 200, costNano: 700))
            // What belongs to the running processes: a worker's registration and a request's reservation.
            try store.registerWorker(WorkerRecord(id: "w1", pid: 4242, host: "h", socketPath: dir + "/run/worker-w1.sock", capacity: 8,
                                                  state: .ready, startedAt: t0, heartbeatAt: t0))
            _ = try store.reserve(teamID: team.id, requestID: "in-flight", amountNano: 5_000, periodStart: period, now: Date(), ttl: 600,
                                  ownerPID: 4242, ownerHost: "h")

            // Another process's connection is in the middle of a write: the copy has none of it.
            let other = try Store(path: path)
            defer { other.close() }
            let backups: [Store.BackupFile] = try other.write { db in
                _ = try db.run("INSERT INTO teams(name, period, created_at) VALUES ('in-flight', 'monthly', 0)")
                return try store.backup(into: dir + "/bk")
            }
            #expect(backups.map(\.schema) == [.main, .requestLog])
            #expect(backups.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["triage.sqlite", "triage-requests.sqlite"])

            let main = try backups[0].check()
            #expect(main.integrity == "ok")
            #expect(main.schemaVersion == (try store.schemaVersion()))
            #expect(main.tables == [.init(table: "teams", rows: 1), .init(table: "api_keys", rows: 1), .init(table: "ledger", rows: 2)],
                    "the in-flight team is not in the copy; its transaction had not committed")
            #expect(main.ledgerNano == 1_000)
            let log = try backups[1].check()
            #expect(log.integrity == "ok" && log.tables == [.init(table: "requests", rows: 1)])
            for file in backups {
                let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600, "\(file.path) holds key hashes and spend: owner only")
                #expect(file.bytes > 0)
            }

            // Restored: the copy is a working store, with what the live one had when it was taken.
            let restored = try Store(path: backups[0].path)
            defer { restored.close() }
            #expect(try restored.team(named: "research")?.requestsPerMinute == 60)
            #expect(try restored.team(named: "in-flight") == nil)
            #expect(try restored.key(prefix: "abcd0123")?.teamName == "research")
            #expect(try restored.ledgerTotalNano(teamID: team.id) == 1_000)
            #expect(try restored.recentRequests(limit: 10).map(\.id) == ["r1"])
            #expect(try restored.workers().isEmpty, "a coordinator on the copy must not connect to the live cluster's workers")
            #expect(try restored.activeReservationCount(now: Date()) == 0, "the live processes' reservations stay with them")
            #expect(try store.activeReservationCount(now: Date()) == 1 && (try store.workers().count) == 1, "the live store keeps its own")
        }
    }

    /// A worker that died with settlements not yet committed: their charges are in the copy.
    @Test func aBackupHoldsTheChargesADeadWorkerJournaledAndNeverCommitted() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir + "/live")
            let store = try Store(path: path)
            defer { store.close() }
            let team = try store.createTeam(name: "research", budgetNano: 1_000_000, period: "monthly", softLimit: nil)
            try charge(store, team: team.id, request: "r1", cost: 700)
            let journals = SettlementJournal.directory(forStore: path)
            try FileManager.default.createDirectory(atPath: journals, withIntermediateDirectories: true)
            let lost = SettlementRecord(hold: .none, entry: LedgerEntry(teamID: team.id, requestID: "r2", createdAt: t0, tier: "simple", model: "m",
                                                                        promptTokens: 1, completionTokens: 1, usageEstimated: false,
                                                                        costNano: 250, outcome: "ok"), periodStart: period)
            try Data(lost.line).write(to: URL(fileURLWithPath: journals + "/h-4242-1-1.jsonl"))
            // A live worker's journal (it holds the lock) is left to that worker.
            let live = try SettlementJournal(storePath: path, owner: "h-1")
            defer { live.close() }
            var pending = lost
            pending.entry.requestID = "r3"
            #expect(live.append(pending) != nil)

            let files = try store.backup(into: dir + "/bk")
            #expect(try files[0].check().ledgerNano == 950, "r1 and the dead worker's r2; not the live worker's r3")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 950)
            #expect(try store.unchargedSettlements(journals: journals) == 0)
        }
    }

    @Test func aBackupNeverOverwritesAndWritesNothingWhenEitherCopyExists() throws {
        try withStore { store, path throws in
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("bk").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir + "/triage-requests.sqlite", contents: Data("keep me".utf8))
            #expect(throws: StoreError.self) { try store.backup(into: dir) }
            #expect(!FileManager.default.fileExists(atPath: dir + "/triage.sqlite"), "nothing is written when a copy would overwrite")
            #expect(FileManager.default.contents(atPath: dir + "/triage-requests.sqlite") == Data("keep me".utf8))
        }
    }

    @Test func restoreChecksTheBackupAndSetsTheReplacedFilesAsideWithTheirWAL() throws {
        try withTempDir { dir throws in
            let live = Store.defaultPath(dataDir: dir + "/live")
            let store = try Store(path: live)
            let team = try store.createTeam(name: "kept", budgetNano: 1_000_000, period: "monthly", softLimit: nil)
            try charge(store, team: team.id, request: "r1", cost: 40)
            _ = try store.backup(into: dir + "/bk")
            try charge(store, team: team.id, request: "r2", cost: 2)  // after the backup; left in the WAL (the store stays open)

            #expect(throws: StoreError.self, "not a backup") { try Store.restore(backup: dir + "/nothing", into: live, liveWorkerWindow: 5) }
            try store.registerWorker(WorkerRecord(id: "w1", pid: 1, host: "h", socketPath: "/tmp/w1.sock", capacity: 1, startedAt: Date(), heartbeatAt: Date()))
            #expect(throws: StoreError.self, "a worker is alive") { try Store.restore(backup: dir + "/bk", into: live, liveWorkerWindow: 5) }
            _ = try store.removeWorker(id: "w1")
            // A process serving the store (a coordinator without workers sends no heartbeat) holds its use lock.
            do {
                let serving = try StoreUseLock(storePath: live)
                let alsoServing = try StoreUseLock(storePath: live)
                do throws(StoreError) {
                    _ = try Store.restore(backup: dir + "/bk", into: live, liveWorkerWindow: 5)
                    Issue.record("restored under a serving process")
                } catch {
                    #expect(error.message.contains("has the store open"), "\(error)")
                }
                withExtendedLifetime(serving) {}
                withExtendedLifetime(alsoServing) {}
            }
            // `store` stays open, as a process that missed the stop would: its WAL still holds r2.
            #expect(FileManager.default.fileExists(atPath: live + "-wal"))
            // A worker killed before the stop left a settlement it answered and never committed (r3).
            let journals = SettlementJournal.directory(forStore: live)
            try FileManager.default.createDirectory(atPath: journals, withIntermediateDirectories: true)
            let r3 = LedgerEntry(teamID: team.id, requestID: "r3", createdAt: Date(), tier: "simple", model: "m", promptTokens: 1,
                                 completionTokens: 1, usageEstimated: false, costNano: 5, outcome: "ok")
            try Data(SettlementRecord(hold: .none, entry: r3, periodStart: Date()).line).write(to: URL(fileURLWithPath: journals + "/h-1-1-1.jsonl"))

            // Both have stopped: the lock is free. While a restore holds it, no serving process can start.
            do {
                let restoring = try StoreUseLock(storePath: live, exclusive: true)
                do throws(StoreError) {
                    _ = try StoreUseLock(storePath: live)
                    Issue.record("a serving process started during a restore")
                } catch {
                    #expect(error.message.contains("a restore of the store is in progress"), "\(error)")
                }
                withExtendedLifetime(restoring) {}
            }
            let restored = try Store.restore(backup: dir + "/bk", into: live, liveWorkerWindow: 5, by: "cli ops@host")
            store.close()
            #expect(restored.files.map(\.schema) == [.main, .requestLog])
            let aside = try #require(restored.setAside)
            #expect(FileManager.default.fileExists(atPath: aside + "/triage.sqlite"))
            #expect(FileManager.default.fileExists(atPath: aside + "/triage.sqlite-wal"), "the old WAL went aside with its file, never replayed onto the restored one")
            let back = try Store(path: live)
            defer { back.close() }
            #expect(try back.ledgerTotalNano() == 40, "the backup's ledger, without what came after it")
            #expect(FileManager.default.fileExists(atPath: aside + "/triage.sqlite.settlements/h-1-1-1.jsonl"), "the old journal went aside too")
            #expect(try back.reclaim(now: Date(), host: "h", isAlive: { _ in false }, journals: journals).replayed == 0,
                    "nothing of the replaced store is replayed onto the restored one")
            #expect(try back.ledgerTotalNano() == 40)
            #expect(try back.integrityCheck() == "ok")
            let audit = try back.auditEvents()
            #expect(audit.map(\.action) == [.storeRestore], "the restored store says who put it there")
            #expect(audit.first?.actor == "cli ops@host" && audit.first?.detail == "from \(dir)/bk; the replaced files kept in \(aside)", "\(audit)")
            let old = try Store(path: aside + "/triage.sqlite")
            defer { old.close() }
            #expect(try old.ledgerTotalNano() == 42, "the replaced store is whole")
        }
    }
}
