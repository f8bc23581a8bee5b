import CSQLite
import Synchronization

/// What the write-ahead log's size after each commit makes due: a checkpoint that runs beside
/// the writes, or one they wait for.
///
/// Replaces SQLite's automatic checkpoint on a connection (see
/// ``SQLiteConnection/deferCheckpoints(to:)``), so the commit that crosses a threshold does
/// not also copy the log back into the database on the committing thread.
///
/// A checkpoint copies the log into the database and syncs both files, milliseconds of work.
/// SQLite lets writers go on meanwhile, but it can start the log again from its beginning only
/// when a checkpoint copied all of it before the next write: under steady writes, checkpoints
/// beside them never catch up and the log would grow without bound. So every `everyPages` new
/// pages a **passive** checkpoint runs beside the writes (copying and syncing most of the log
/// while nobody waits). When the log has reached `catchUpPages`, one more passive checkpoint
/// runs, and right after it a **catch-up** checkpoint with the process's writes held back: it
/// copies only what was written during the passive one, so the wait is short, and the next write
/// starts the log from its beginning.
public final class CheckpointDue: Sendable {
    /// New log pages after which a passive checkpoint is due (SQLite's automatic default is 1,000).
    public let everyPages: Int32
    /// Log pages at which a catch-up checkpoint is due.
    public let catchUpPages: Int32
    private let state = Mutex(State())

    private struct State {
        /// The log's size when the last passive checkpoint was made due.
        var mark: Int32 = 0
        var passive = false
        /// A passive checkpoint was made due because the log reached `catchUpPages`.
        var catchUpNext = false
        var catchUp = false
    }

    public init(everyPages: Int32 = 1000, catchUpPages: Int32 = 4000) {
        self.everyPages = everyPages
        self.catchUpPages = max(catchUpPages, everyPages)
    }

    /// Whether a catch-up checkpoint is due.
    public var isCatchUpDue: Bool { state.withLock { $0.catchUp } }

    /// Takes the passive flag: true once per `everyPages` pages of growth.
    public func takePassive() -> Bool { state.withLock { s in defer { s.passive = false }; return s.passive } }

    /// Takes the catch-up flag.
    public func takeCatchUp() -> Bool { state.withLock { s in defer { s.catchUp = false }; return s.catchUp } }

    /// Records what a commit that left `walPages` pages in the log makes due (the WAL hook calls it).
    func committed(walPages: Int32) {
        state.withLock { s in
            if walPages < s.mark { s.mark = 0 }  // the log started again from its beginning
            let full = walPages >= catchUpPages
            if walPages >= s.mark + everyPages || (full && !s.catchUpNext) {
                s.passive = true
                s.mark = walPages
                s.catchUpNext = s.catchUpNext || full
            }
        }
    }

    /// Records the end of a passive checkpoint that left `logPages` pages in the log: a catch-up
    /// checkpoint is due when they reach `catchUpPages`.
    public func passiveEnded(logPages: Int32) {
        state.withLock { s in
            if logPages >= catchUpPages { s.catchUp = true }
            s.catchUpNext = false
        }
    }
}

extension SQLiteConnection {
    /// Turns off this connection's automatic checkpoint: after each commit `flag` records
    /// which checkpoint the log's size makes due, and the owner runs ``checkpoint()`` when it
    /// suits it. `flag` must outlive the connection's last commit.
    public func deferCheckpoints(to flag: CheckpointDue) {
        let context = Unmanaged.passUnretained(flag).toOpaque()
        sqlite3_wal_hook(handle, { context, _, _, pages in
            if let context { Unmanaged<CheckpointDue>.fromOpaque(context).takeUnretainedValue().committed(walPages: pages) }
            return SQLITE_OK
        }, context)
    }

    /// Copies the write-ahead log back into the database as far as readers allow
    /// (`SQLITE_CHECKPOINT_PASSIVE`: never waits for other connections).
    /// - Returns: the pages in the log (0 when another checkpoint was running).
    @discardableResult
    public func checkpoint() throws(StoreError) -> Int32 {
        var logPages: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logPages, nil)
        guard rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errstr(rc)), operation: "checkpoint")
        }
        return max(logPages, 0)
    }
}
