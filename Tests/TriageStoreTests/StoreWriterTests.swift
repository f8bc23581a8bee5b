import Foundation
import Synchronization
import Testing
@testable import TriageStore

@Suite struct StoreWriterTests {
    let period = Date(timeIntervalSince1970: 1_800_000_000)

    /// A fresh store and a writer on the same file, both closed afterwards.
    private func withWriter(laterDelay: Duration = .milliseconds(50), checkpoints: CheckpointDue = CheckpointDue(),
                            _ body: (Store, StoreWriter) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: Store.defaultPath(dataDir: dir))
        defer { store.close() }
        let writer = try StoreWriter(path: store.path, laterDelay: laterDelay, checkpoints: checkpoints)
        defer { writer.close() }
        try await body(store, writer)
    }

    @Test func concurrentReservationsThroughTheWriterNeverExceedTheBudget() async throws {
        try await withWriter { store, writer in
            let team = try store.createTeam(name: "a", budgetNano: 1_000, period: "monthly", softLimit: nil)
            let period = self.period
            // 50 reservations of 100 at once: they share transactions, yet exactly 10 fit.
            let reserved = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let r = try? await writer.reserve(teamID: team.id, requestID: "r\(i)", amountNano: 100, periodStart: period,
                                                          now: t0, ttl: 60, ownerPID: 1, ownerHost: "h")
                        if case .reserved = r { return true }
                        return false
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(reserved == 10)
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: t0).reservedNano == 1_000)
        }
    }

    @Test func aFailingWriteFailsAloneAndTheOthersOfItsBatchCommit() async throws {
        try await withWriter { store, writer in
            let team = try store.createTeam(name: "b", budgetNano: nil, period: "total", softLimit: nil)
            let period = self.period
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<20 {
                    group.addTask {
                        do {
                            if i == 7 {
                                // A write that fails (no such table), in the middle of the others.
                                try await writer.write("bad") { db throws(StoreError) in _ = try db.run("INSERT INTO no_such_table VALUES (1)") }
                            } else {
                                try await writer.settle(.none, Self.entry(team.id, "ok\(i)", cost: 10), periodStart: period)
                            }
                            return (i, true)
                        } catch {
                            return (i, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes[7] == false)
            #expect(outcomes.filter { $0.value }.count == 19)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 190)
        }
    }

    @Test func aLaterWriteRidesAlongOrIsCommittedWithinItsDelay() async throws {
        try await withWriter(laterDelay: .milliseconds(100)) { store, writer in
            let team = try store.createTeam(name: "c", budgetNano: nil, period: "total", softLimit: nil)
            let failures = Mutex<[String]>([])
            // A later write of a row anyone can see: a worker registration named `id`.
            let later = { (id: String) in
                writer.writeLater("later", { db throws(StoreError) in
                    try db.run("INSERT INTO workers VALUES (?, 1, 'h', 's', 1, 'ready', 0, 0)", [.text(id)])
                }, onError: { e in failures.withLock { $0.append("\(e)") } })
            }
            let committed = { (id: String) throws -> Bool in try store.workers().contains { $0.id == id } }
            // Alone: committed by the timer.
            later("alone")
            #expect(try !committed("alone"))
            try await Task.sleep(for: .milliseconds(400))
            #expect(try committed("alone"))
            // With a write: committed in that write's transaction, before it returns.
            later("rider")
            try await writer.settle(.none, Self.entry(team.id, "x", cost: 5), periodStart: period)
            #expect(try committed("rider"))
            // (The writer's thread may still be ending that batch, and the rider's timer is still
            // set: past both, the next later write waits for a timer of its own.)
            try await Task.sleep(for: .milliseconds(150))
            // Not with an inline write (it is on a request's path): the timer commits it.
            later("waits")
            try await writer.settle(.none, Self.entry(team.id, "y", cost: 5), periodStart: period, inline: true)
            #expect(try !committed("waits"))
            try await Task.sleep(for: .milliseconds(400))
            #expect(try committed("waits"))
            // flush() commits whatever is queued.
            later("flushed")
            await writer.flush()
            #expect(try committed("flushed"))
            #expect(failures.withLock { $0 }.isEmpty)
        }
    }

    @Test func requestLogRowsGoToTheLogFilesWriter() async throws {
        try await withWriter { store, _ in
            let log = try StoreWriter(path: Store.requestLogPath(forStore: store.path), laterDelay: .milliseconds(20), schema: .requestLog)
            defer { log.close() }
            let failures = Mutex<[String]>([])
            log.logRequestLater(RequestLogEntry(id: "logged", createdAt: t0, status: 200)) { e in failures.withLock { $0.append("\(e)") } }
            await log.flush()
            #expect(try store.request(id: "logged")?.status == 200)
            #expect(failures.withLock { $0 }.isEmpty)
        }
    }

    @Test func aStoreLockedPastTheBusyTimeoutFailsTheBatchAtOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: Store.defaultPath(dataDir: dir))
        defer { store.close() }
        let team = try store.createTeam(name: "busy", budgetNano: nil, period: "total", softLimit: nil)
        // A long busy timeout, so that on a loaded machine too every write is queued while the first
        // batch waits: at most two batches then (the first writes, then the rest).
        let writer = try StoreWriter(path: store.path, busyTimeoutMilliseconds: 2000)
        defer { writer.close() }
        let holder = try SQLiteConnection(path: store.path)
        defer { holder.close() }
        try holder.exec("BEGIN IMMEDIATE")
        let period = self.period
        let started = ContinuousClock.now
        let failed = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<10 {
                group.addTask {
                    do {
                        try await writer.settle(.none, Self.entry(team.id, "w\(i)", cost: 1), periodStart: period)
                        return false
                    } catch {
                        return (error as? StoreError)?.isBusy == true
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let took = started.duration(to: .now)
        try holder.exec("ROLLBACK")
        #expect(failed == 10)
        // Two batches, each waiting once (about 4 s; a third when a task reaches the queue late on a
        // loaded machine); write by write it would be 20 s or more. The margin is wide because the
        // tasks' resumptions can wait seconds for the cooperative pool while integration tests in
        // the same process hold its threads (8.3 s was seen with a 1 s timeout, against about 2 s).
        #expect(took < .seconds(15), "\(took)")
    }

    @Test func anIdleInlineWriterCommitsOnTheCallersThreadAndALockedOneQueuesInsteadOfFailing() async throws {
        try await withWriter { store, writer in
            let team = try store.createTeam(name: "inline", budgetNano: nil, period: "total", softLimit: nil)
            let period = self.period
            // Idle, nothing locked: the body runs before `write` returns, on this very thread.
            let caller = pthread_self()
            let ranOn = try await writer.write("probe", inline: true) { db throws(StoreError) in
                try Store.settle(db, .none, Self.entry(team.id, "a", cost: 5), periodStart: period)
                return pthread_self()
            }
            #expect(pthread_equal(caller, ranOn) != 0, "an idle inline write runs on the caller's thread")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 5)

            // Another process holds the write lock: the inline try does not wait for it; the write
            // is queued on the writer's thread and commits once the lock is released.
            let holder = try SQLiteConnection(path: store.path)
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            let pending = Task {
                try await writer.write("queued", inline: true) { db throws(StoreError) in
                    try Store.settle(db, .none, Self.entry(team.id, "b", cost: 7), periodStart: period)
                    return pthread_self()
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            try holder.exec("ROLLBACK")
            let queuedOn = try await pending.value
            #expect(pthread_equal(caller, queuedOn) == 0, "a write that met a held lock ran on the writer's thread")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 12)
        }
    }

    @Test func theWritersCheckpointsKeepTheLogFromGrowingWithoutBound() async throws {
        // Passive checkpoints every 100 pages beside the writes, a catch-up one at 600 pages.
        try await withWriter(checkpoints: CheckpointDue(everyPages: 100, catchUpPages: 600)) { store, writer in
            let team = try store.createTeam(name: "wal", budgetNano: nil, period: "total", softLimit: nil)
            let period = self.period
            let padding = String(repeating: "x", count: 3000)  // about a page per row
            for i in 0..<3000 {
                var e = Self.entry(team.id, "r\(i)-" + padding, cost: 1)
                e.model = padding
                try await writer.settle(.none, e, periodStart: period, inline: true)
            }
            await writer.flush()
            // Without checkpoints the log would hold every page written (about 110 MB: each row
            // and its index keys take overflow pages), and so it does with passive checkpoints
            // alone, which never catch up with writes this steady. The catch-up checkpoints let it
            // start again from its beginning soon after it reaches 600 pages (2.4 MB); how soon
            // depends on how fast the disk syncs meanwhile, hence the loose bound.
            let wal = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int ?? 0
            #expect(wal < 32 << 20, "WAL is \(wal) bytes")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 3000)
        }
    }

    @Test func checkpointsAreDueByTheLogsGrowth() {
        let due = CheckpointDue(everyPages: 100, catchUpPages: 1000)
        due.committed(walPages: 50)
        #expect(!due.takePassive() && !due.takeCatchUp())
        due.committed(walPages: 120)
        #expect(due.takePassive())
        #expect(!due.takePassive(), "taken once")
        due.committed(walPages: 180)
        #expect(!due.takePassive(), "not 100 pages since the last")
        due.committed(walPages: 221)
        #expect(due.takePassive())
        due.passiveEnded(logPages: 221)
        #expect(!due.isCatchUpDue)
        // At 1,000 pages one more passive checkpoint, then a catch-up one if the log is still full.
        due.committed(walPages: 1000)
        #expect(due.takePassive() && !due.isCatchUpDue)
        due.committed(walPages: 1010)
        #expect(!due.takePassive(), "one passive checkpoint before the catch-up, not one per commit")
        due.passiveEnded(logPages: 1012)
        #expect(due.isCatchUpDue && due.takeCatchUp() && !due.isCatchUpDue)
        due.committed(walPages: 30)  // the log started again
        due.committed(walPages: 110)
        #expect(due.takePassive())
    }

    @Test func aSettlementChargesTheCostAndReleasesItsReservation() async throws {
        try await withWriter { store, writer in
            let team = try store.createTeam(name: "d", budgetNano: 1_000, period: "monthly", softLimit: nil)
            let r = try await writer.reserve(teamID: team.id, requestID: "q", amountNano: 400, periodStart: period, now: t0, ttl: 60,
                                             ownerPID: 1, ownerHost: "h")
            guard case .reserved(let id, _, _) = r else { Issue.record("not reserved: \(r)"); return }
            #expect(try store.budgetStatus(teamID: team.id, periodStart: period, now: t0).reservedNano == 400)
            try await writer.settle(.row(id), Self.entry(team.id, "q", cost: 100), periodStart: period)
            let status = try store.budgetStatus(teamID: team.id, periodStart: period, now: t0)
            #expect(status.spentNano == 100 && status.reservedNano == 0)
            #expect(try store.ledgerTotalNano(teamID: team.id) == 100)
        }
    }

    static func entry(_ team: Int64?, _ request: String, cost: Int64) -> LedgerEntry {
        LedgerEntry(teamID: team, requestID: request, createdAt: t0, tier: "simple", model: "m", promptTokens: 10,
                    completionTokens: 5, usageEstimated: false, costNano: cost, outcome: "ok")
    }
}
