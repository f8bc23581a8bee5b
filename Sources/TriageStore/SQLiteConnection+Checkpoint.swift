import CSQLite
import Synchronization

/// Set after a commit left the write-ahead log at or over a threshold: a checkpoint is due.
///
/// Replaces SQLite's automatic checkpoint on a connection (see
/// ``SQLiteConnection/deferCheckpoints(to:)``), so the commit that crosses the threshold does
/// not also copy the log back into the database on the committing thread.
public final class CheckpointDue: Sendable {
    /// WAL pages after which a checkpoint is due (SQLite's automatic default is 1,000).
    public let thresholdPages: Int32
    private let due = Atomic<Bool>(false)

    public init(thresholdPages: Int32 = 1000) {
        self.thresholdPages = thresholdPages
    }

    /// Whether a checkpoint is due.
    public var isDue: Bool { due.load(ordering: .acquiring) }

    /// Takes the flag: true once per threshold crossing.
    public func take() -> Bool { due.exchange(false, ordering: .acquiringAndReleasing) }

    fileprivate func committed(walPages: Int32) {
        if walPages >= thresholdPages { due.store(true, ordering: .releasing) }
    }
}

extension SQLiteConnection {
    /// Turns off this connection's automatic checkpoint: after each commit `flag` records
    /// whether the log has grown past its threshold, and the owner runs ``checkpoint()`` when
    /// it suits it. `flag` must outlive the connection's last commit.
    public func deferCheckpoints(to flag: CheckpointDue) {
        let context = Unmanaged.passUnretained(flag).toOpaque()
        sqlite3_wal_hook(handle, { context, _, _, pages in
            if let context { Unmanaged<CheckpointDue>.fromOpaque(context).takeUnretainedValue().committed(walPages: pages) }
            return SQLITE_OK
        }, context)
    }

    /// Copies the write-ahead log back into the database as far as readers allow
    /// (`SQLITE_CHECKPOINT_PASSIVE`: never waits for other connections).
    public func checkpoint() throws(StoreError) {
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        guard rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errstr(rc)), operation: "checkpoint")
        }
    }
}
