import Dispatch
import Foundation
import Synchronization

/// Runs a process's hot-path writes to one of the store's files (reservations and settlements to
/// the main one, rows to the request log's) on one dedicated thread with a connection of its own,
/// off Swift's cooperative pool: SQLite's busy waits and the WAL checkpoints some commits run block
/// that thread only, never the tasks that serve requests.
///
/// Writes that arrive while a transaction runs are committed together in the next one (group
/// commit), each still all-or-nothing: if one of them fails, the batch is rolled back and every
/// write of it runs again alone, so only the failing one fails (unless the store stayed locked
/// past the busy timeout: then the whole batch fails at once). A write is reported done only
/// after its transaction committed.
///
/// ``writeLater(_:_:onError:)`` queues a write that need not be on disk before the caller goes
/// on (a worker's request log, through a writer of that file): it rides along with the writer
/// thread's next transaction, or is committed within `laterDelay` when none comes (with the others
/// waiting, so a quiet process spends one transaction per `laterDelay` on them, not one per row).
/// If the process dies first, at most that much of it is lost; ``flush()`` commits everything
/// queued.
///
/// A write made with `inline: true` runs at once on the caller's thread when the writer is idle
/// and no other process holds the store's write lock (it never waits for it): one transaction
/// and no thread hop, which is most of a write's latency on a lightly loaded machine. When the
/// writer is busy or the lock is held it is queued like any other. Callers ask for it only when
/// they have no company: under load, queued writes share transactions, inline ones do not.
///
/// The writer's connection does not checkpoint on commit (see ``CheckpointDue``): every 1,000 new
/// log pages a thread and connection of their own run a checkpoint while writes go on (its
/// `fdatasync` calls take milliseconds, which a request whose settlement queued behind it used to
/// wait); once the log reaches 4,000 pages the writer's thread waits for a short catch-up
/// checkpoint right after a passive one, so that the log starts again from its beginning.
public final class StoreWriter: Sendable {
    private let store: Store
    private let queue = DispatchQueue(label: "triage.store-writer")
    private let laterDelay: Duration
    private let busyTimeoutMilliseconds: Int
    private let checkpointDue: CheckpointDue
    private let checkpointer: Checkpointer
    private let state = Mutex(State())

    private struct Job: Sendable {
        var operation: String
        /// Runs inside the batch's transaction (possibly twice: the second time alone).
        var body: @Sendable (SQLiteConnection) throws(StoreError) -> Void
        /// Called once with nil after the commit, or with the error.
        var done: @Sendable (StoreError?) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var later: [Job] = []
        /// A drain is scheduled or running on the queue.
        var draining = false
        var timerSet = false
    }

    /// Opens a connection of its own to the store file.
    /// - Parameters:
    ///   - path: the store's file (already created and migrated).
    ///   - laterDelay: the longest a ``writeLater(_:_:onError:)`` write waits for a transaction to ride along with.
    ///     Short on purpose: a commit of hundreds of rows is a burst of CPU that delays the requests
    ///     it overlaps (one connection's p99 was 1.05 ms with 50 ms, 0.82 ms with 10 ms, 2.3 ms with 250 ms).
    ///   - checkpoints: when checkpoints are due (the defaults suit a server; tests make them small).
    ///   - schema: which of the store's files `path` is (a worker has one writer for each).
    public init(path: String, busyTimeoutMilliseconds: Int = 5000, laterDelay: Duration = .milliseconds(10),
                checkpoints: CheckpointDue = CheckpointDue(), schema: StoreSchema = .main) throws(StoreError) {
        self.checkpointDue = checkpoints
        self.store = try Store(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, schema: schema)
        self.laterDelay = laterDelay
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.checkpointer = Checkpointer(store: try Store(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, schema: schema),
                                         due: checkpoints)
        try store.locked("deferCheckpoints") { [checkpointDue] db throws(StoreError) in db.deferCheckpoints(to: checkpointDue) }
    }

    /// Runs `body` in a write transaction (shared with other writes queued meanwhile) and
    /// returns once it has committed.
    /// - Parameter inline: run it on the calling thread if the writer is idle and the lock free
    ///   (see the type's notes); for a caller whose thread may block for one short transaction.
    public func write<T: Sendable>(_ operation: String, inline: Bool = false,
                                   _ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        if inline, let result = runInline(operation, body) { return try result.get() }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<T, StoreError>, Never>) in
            let slot = ResultSlot<T>()
            enqueue(Job(operation: operation, body: { db throws(StoreError) in slot.value = try body(db) }, done: { error in
                if let error { c.resume(returning: .failure(error)) } else { c.resume(returning: .success(slot.value!)) }
            }), later: false)
        }
        return try result.get()
    }

    /// Queues `body` to be committed with the next transaction, or within `laterDelay`.
    /// - Parameter onError: called (on the writer's thread) if it could not be written.
    public func writeLater(_ operation: String, _ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> Void,
                           onError: @escaping @Sendable (StoreError) -> Void) {
        writeLater(operation, body, done: { error in if let error { onError(error) } })
    }

    /// Queues `body` like ``writeLater(_:_:onError:)``.
    /// - Parameter done: called once (on the writer's thread) with nil after the commit, or with the error.
    public func writeLater(_ operation: String, _ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> Void,
                           done: @escaping @Sendable (StoreError?) -> Void) {
        enqueue(Job(operation: operation, body: body, done: done), later: true)
    }

    /// Returns once everything queued so far has been committed (or has failed).
    public func flush() async {
        _ = try? await write("flush") { _ throws(StoreError) in () }
    }

    /// Closes the writer's connections (after ``flush()``), once a running checkpoint has ended.
    public func close() {
        store.close()
        checkpointer.close()
    }

    private func enqueue(_ job: Job, later: Bool) {
        enum Next { case nothing, drain, timer }
        let next = state.withLock { s -> Next in
            if later { s.later.append(job) } else { s.jobs.append(job) }
            if s.draining { return .nothing }
            if !later {
                s.draining = true
                return .drain
            }
            if s.timerSet { return .nothing }
            s.timerSet = true
            return .timer
        }
        switch next {
        case .nothing: break
        case .drain: queue.async { self.drain() }
        case .timer: scheduleTimer()
        }
    }

    /// Makes sure queued `later` writes are committed within `laterDelay`.
    private func enqueueTimer() {
        let arm = state.withLock { s -> Bool in
            if s.timerSet { return false }
            s.timerSet = true
            return true
        }
        if arm { scheduleTimer() }
    }

    private func scheduleTimer() {
        let c = laterDelay.components
        let nanos = Int(c.seconds) * 1_000_000_000 + Int(c.attoseconds / 1_000_000_000)
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanos)) {
            let start = self.state.withLock { s -> Bool in
                s.timerSet = false
                if s.draining || s.later.isEmpty { return false }
                s.draining = true
                return true
            }
            if start { self.drain() }
        }
    }

    /// Runs one write on the calling thread. Later writes waiting to ride along stay queued for the
    /// writer's thread (its next batch or their timer): an inline write is on a request's path, and
    /// they would add their pages to it.
    /// - Returns: nil when it could not run here (the writer is busy, the lock is held, or the
    ///   transaction failed): the caller queues it, and nothing of it was committed.
    private func runInline<T: Sendable>(_ operation: String,
                                        _ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> T) -> Result<T, StoreError>? {
        let mine = state.withLock { s -> Bool in
            guard !s.draining, s.jobs.isEmpty else { return false }
            s.draining = true  // this thread is the writer until it hands back below
            return true
        }
        guard mine else { return nil }
        var value: T?
        do throws(StoreError) {
            try store.locked(operation) { [busyTimeoutMilliseconds] db throws(StoreError) in
                try db.setBusyTimeout(milliseconds: 0)  // another process writing: queue, do not wait here
                defer { try? db.setBusyTimeout(milliseconds: busyTimeoutMilliseconds) }
                try db.typedTransaction(immediate: true) { () throws(StoreError) in value = try body(db) }
            }
        } catch {
            handBack()
            return nil
        }
        checkpointIfDue()
        handBack()
        return .success(value!)
    }

    /// Ends an inline write: writes queued meanwhile (or a due catch-up checkpoint) go to the
    /// writer's thread; waiting `later` writes get their timer.
    private func handBack() {
        let (drainNow, laterWaiting) = state.withLock { s -> (Bool, Bool) in
            if s.jobs.isEmpty && !checkpointDue.isCatchUpDue {
                s.draining = false
                return (false, !s.later.isEmpty)
            }
            return (true, false)
        }
        if drainNow { queue.async { self.drain() } } else if laterWaiting { enqueueTimer() }
    }

    /// Commits batches until nothing is queued, starts a due passive checkpoint after the batch
    /// that made it due, and runs a due catch-up checkpoint (writes queued meanwhile wait for
    /// it). Runs on `queue` only.
    private func drain() {
        while true {
            let batch = state.withLock { s -> [Job] in
                defer { s.jobs.removeAll(keepingCapacity: true); s.later.removeAll(keepingCapacity: true) }
                return s.later + s.jobs
            }
            if !batch.isEmpty { run(batch) }
            checkpointIfDue()
            if checkpointDue.takeCatchUp() { checkpointer.runNow() }
            let done = state.withLock { s -> Bool in
                guard s.jobs.isEmpty && s.later.isEmpty && !checkpointDue.isCatchUpDue else { return false }
                s.draining = false
                return true
            }
            if done { return }
        }
    }

    /// Starts a passive checkpoint on the checkpointer's thread when a commit made one due; when
    /// it leaves a catch-up one due, the writer's thread runs that next.
    private func checkpointIfDue() {
        guard checkpointDue.takePassive() else { return }
        checkpointer.start { [self] in
            let drainNow = state.withLock { s -> Bool in
                if s.draining { return false }  // the running drain or inline write sees the flag
                s.draining = true
                return true
            }
            if drainNow { queue.async { self.drain() } }
        }
    }

    private func run(_ batch: [Job]) {
        do throws(StoreError) {
            try store.locked(writing: batch.count == 1 ? batch[0].operation : "batch") { db throws(StoreError) in
                for job in batch { try job.body(db) }
            }
            for job in batch { job.done(nil) }
        } catch {
            // Alone it failed for itself; a lock not had within the busy timeout fails every write
            // of the batch (alone, each would wait that long again, one after the other).
            if batch.count == 1 || error.isBusy {
                for job in batch { job.done(error) }
                return
            }
            // One of them failed: each alone, so that only the failing one fails.
            for job in batch {
                do throws(StoreError) {
                    try store.locked(writing: job.operation) { db throws(StoreError) in try job.body(db) }
                    job.done(nil)
                } catch {
                    job.done(error)
                }
            }
        }
    }
}

/// Runs a writer's checkpoints on a thread and connection of their own.
private final class Checkpointer: Sendable {
    private let store: Store
    private let due: CheckpointDue
    private let queue = DispatchQueue(label: "triage.store-checkpoint")

    init(store: Store, due: CheckpointDue) {
        self.store = store
        self.due = due
    }

    /// Starts a passive checkpoint (it never waits for readers or writers), after any still
    /// running; calls `catchUpDue` after it when it left a catch-up checkpoint due.
    func start(catchUpDue: @escaping @Sendable () -> Void) {
        queue.async { [due] in
            due.passiveEnded(logPages: self.checkpoint())
            if due.isCatchUpDue { catchUpDue() }
        }
    }

    /// Runs one, after any still running, and returns when it has ended.
    func runNow() {
        queue.sync { _ = checkpoint() }
    }

    private func checkpoint() -> Int32 {
        (try? store.locked("checkpoint") { db throws(StoreError) in try db.checkpoint() }) ?? 0
    }

    /// Closes the connection once a running checkpoint has ended.
    func close() {
        queue.sync { store.close() }
    }
}

/// Where a queued write leaves its result.
///
/// `@unchecked Sendable`: `value` is written by the job's body and read by its `done` callback,
/// both called on the writer's serial queue, one after the other; nothing else touches it.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}

extension StoreWriter {
    /// ``Store/reserve(teamID:requestID:amountNano:periodStart:now:ttl:ownerPID:ownerHost:budgetKeyID:)`` on the writer.
    public func reserve(teamID: Int64, requestID: String, amountNano: Int64, periodStart: Date, now: Date,
                        ttl: TimeInterval, ownerPID: Int32, ownerHost: String, budgetKeyID: Int64? = nil,
                        inline: Bool = false) async throws(StoreError) -> ReservationResult {
        try await write("reserve", inline: inline) { db throws(StoreError) in
            try Store.reserve(db, teamID: teamID, requestID: requestID, amountNano: amountNano, periodStart: periodStart, now: now,
                              ttl: ttl, ownerPID: ownerPID, ownerHost: ownerHost, budgetKeyID: budgetKeyID)
        }
    }

    /// ``Store/logRequest(_:)``, committed with the next transaction (see ``writeLater(_:_:onError:)``).
    /// Only for a writer of the request log's file (``StoreSchema/requestLog``).
    public func logRequestLater(_ entry: RequestLogEntry, onError: @escaping @Sendable (StoreError) -> Void) {
        writeLater("logRequest", { db throws(StoreError) in try Store.insertRequest(db, entry) }, onError: onError)
    }
}
