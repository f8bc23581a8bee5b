import Foundation

extension Store {
    private static let workerColumns =
        "id, pid, host, socket_path, capacity, state, started_at, heartbeat_at"

    /// Inserts a worker, or replaces every field of the worker with the same id.
    /// - Parameter w: The worker record.
    public func registerWorker(_ w: WorkerRecord) throws(StoreError) {
        try locked(writing: "registerWorker") { db throws(StoreError) in
            _ = try db.run("""
                INSERT INTO workers(\(Self.workerColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    pid = excluded.pid, host = excluded.host, socket_path = excluded.socket_path,
                    capacity = excluded.capacity, state = excluded.state,
                    started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at
                """, [.text(w.id), .integer(Int64(w.pid)), .text(w.host), .text(w.socketPath),
                      SQLiteValue(w.capacity), .text(w.state.rawValue),
                      SQLiteValue(w.startedAt), SQLiteValue(w.heartbeatAt)])
        }
    }

    /// Records that a worker is alive.
    /// - Parameters:
    ///   - id: The worker id.
    ///   - at: The heartbeat time.
    /// - Returns: `false` when no such worker is registered (it may have been pruned).
    @discardableResult
    public func heartbeatWorker(id: String, at: Date) throws(StoreError) -> Bool {
        try locked(writing: "heartbeatWorker") { db throws(StoreError) in
            try db.run("UPDATE workers SET heartbeat_at = ? WHERE id = ?", [SQLiteValue(at), .text(id)]) > 0
        }
    }

    /// Changes a worker's lifecycle state.
    /// - Parameters:
    ///   - id: The worker id.
    ///   - state: The new state.
    /// - Returns: `false` when no such worker is registered.
    @discardableResult
    public func setWorkerState(id: String, state: WorkerRecord.State) throws(StoreError) -> Bool {
        try locked(writing: "setWorkerState") { db throws(StoreError) in
            try db.run("UPDATE workers SET state = ? WHERE id = ?", [.text(state.rawValue), .text(id)]) > 0
        }
    }

    /// Deletes a worker.
    /// - Parameter id: The worker id.
    /// - Returns: `false` when no such worker was registered.
    @discardableResult
    public func removeWorker(id: String) throws(StoreError) -> Bool {
        try locked(writing: "removeWorker") { db throws(StoreError) in
            try db.run("DELETE FROM workers WHERE id = ?", [.text(id)]) > 0
        }
    }

    /// Every registered worker, ordered by id.
    public func workers() throws(StoreError) -> [WorkerRecord] {
        try locked("workers") { db throws(StoreError) in
            try db.query("SELECT \(Self.workerColumns) FROM workers ORDER BY id", [], Self.decodeWorker)
        }
    }

    /// Workers that are not stopped and have sent a heartbeat recently, ordered by id.
    /// - Parameters:
    ///   - now: The current time.
    ///   - staleAfter: How old a heartbeat may be, in seconds.
    /// - Returns: Workers whose state is not `stopped` and whose heartbeat is at or after `now - staleAfter`.
    public func liveWorkers(now: Date, staleAfter: TimeInterval) throws(StoreError) -> [WorkerRecord] {
        try locked("liveWorkers") { db throws(StoreError) in
            try db.query("""
                SELECT \(Self.workerColumns) FROM workers
                WHERE state != ? AND heartbeat_at >= ? ORDER BY id
                """, [.text(WorkerRecord.State.stopped.rawValue), SQLiteValue(now.addingTimeInterval(-staleAfter))],
                Self.decodeWorker)
        }
    }

    /// Deletes workers whose heartbeat is older than `now - staleAfter`, whatever their state.
    /// - Parameters:
    ///   - now: The current time.
    ///   - staleAfter: How old a heartbeat may be, in seconds.
    /// - Returns: How many rows were deleted.
    @discardableResult
    public func pruneWorkers(now: Date, staleAfter: TimeInterval) throws(StoreError) -> Int {
        try locked(writing: "pruneWorkers") { db throws(StoreError) in
            try db.run("DELETE FROM workers WHERE heartbeat_at < ?",
                       [SQLiteValue(now.addingTimeInterval(-staleAfter))])
        }
    }

    private static func decodeWorker(_ row: SQLiteRow) throws(StoreError) -> WorkerRecord {
        let rawState = row.text(5)
        guard let state = WorkerRecord.State(rawValue: rawState) else {
            throw .badValue("unknown worker state '\(rawState)'", operation: "workers")
        }
        return WorkerRecord(id: row.text(0), pid: Int32(truncatingIfNeeded: row.int64(1)), host: row.text(2),
                            socketPath: row.text(3), capacity: row.int(4), state: state,
                            startedAt: row.date(6), heartbeatAt: row.date(7))
    }
}
