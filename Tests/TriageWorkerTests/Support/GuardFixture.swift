import Foundation
import Synchronization
import TriageCore
import TriageStore
@testable import TriageWorker

/// A worker's budget guard on a real store (and its request log) in a temporary directory, with a
/// wall clock the test moves. ``close()`` closes the writers and removes the directory.
final class GuardFixture: Sendable {
    let dir: String
    /// The store file's path.
    let path: String
    let store: Store
    let writer: StoreWriter
    let requestLog: StoreWriter
    private let clock = Mutex(Date())

    init(_ name: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/triage.sqlite"
        store = try Store(path: path)
        let logPath = Store.requestLogPath(forStore: path)
        _ = try Store(path: logPath, schema: .requestLog)
        writer = try StoreWriter(path: path)
        requestLog = try StoreWriter(path: logPath, schema: .requestLog)
    }

    /// The guard as a worker builds it (no leases), reading the time from ``now``.
    func guardian() throws -> BudgetGuard {
        BudgetGuard(store: store, writer: writer, requestLog: requestLog, config: BudgetConfig(leaseAttempts: 0),
                    now: { [self] in now }, pid: getpid(), host: "test", reads: try Store(path: path))
    }

    /// The guard with a settlement journal of its own, as a worker runs it (the test closes the journal).
    func journaledGuardian() throws -> (BudgetGuard, SettlementJournal) {
        var guardian = try guardian()
        let journal = try SettlementJournal(storePath: path, owner: "test-\(getpid())")
        guardian.journal = journal
        return (guardian, journal)
    }

    /// A team with $10 to spend in all.
    func team(_ name: String = "research") throws -> TeamRecord {
        try store.createTeam(name: name, budgetNano: 10_000_000_000, period: "total", softLimit: nil)
    }

    /// A reclaim pass as the next worker makes it once this process has died with its journal as it
    /// is now. This process still holds its live segments' lock, so they are copied as a dead
    /// worker's first. - Returns: the pass, and how many segments it was given.
    func reclaimAsIfDead() throws -> (pass: Store.Reclaimed, segments: Int) {
        let journals = SettlementJournal.directory(forStore: path)
        let segments = try FileManager.default.contentsOfDirectory(atPath: journals).filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix("dead-") }
        for name in segments { try FileManager.default.copyItem(atPath: "\(journals)/\(name)", toPath: "\(journals)/dead-1-\(name)") }
        return (try store.reclaim(now: now, host: "test", isAlive: { _ in true }, journals: journals), segments.count)
    }

    /// The guard's wall clock.
    var now: Date { clock.withLock { $0 } }

    /// Moves the wall clock by `seconds` (back when negative).
    func advance(_ seconds: Double) {
        clock.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    func close() {
        writer.close()
        requestLog.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
