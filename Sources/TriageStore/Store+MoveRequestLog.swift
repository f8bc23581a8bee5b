import Foundation

extension Store {
    /// Before schema version 12 drops it, copies the main file's `requests` table into the request
    /// log's own file (created if missing). Does nothing for a fresh file or one already at version 12.
    ///
    /// The copy runs in deferred transactions of at most `rowsPerTransaction` rows: each takes the log
    /// file's write lock only (the main file is only read), and only for one batch, so the other
    /// processes' writes to either file wait for one batch at most, never for the whole table. Rows
    /// already in the log file are kept (`INSERT OR IGNORE`), so a copy cut short, or run by two
    /// processes opening the store at once, is simply done again.
    static func moveRequestLog(_ db: SQLiteConnection, storePath: String, busyTimeoutMilliseconds: Int,
                               rowsPerTransaction: Int = 20_000) throws(StoreError) {
        let version = try Migrations.currentVersion(db)
        guard version >= 1, version < 12, try hasRequestsTable(db, legacy: false) else { return }
        let logPath = requestLogPath(forStore: storePath)
        try Store(path: logPath, busyTimeoutMilliseconds: busyTimeoutMilliseconds, schema: .requestLog).close()
        let log = try SQLiteConnection(path: logPath)
        defer { log.close() }
        try log.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try log.run("ATTACH DATABASE ? AS legacy", [.text(storePath)])
        defer { try? log.exec("DETACH DATABASE legacy") }
        var after: Int64 = 0
        while let last = try copyBatch(log, after: after, rows: max(rowsPerTransaction, 1)) {
            after = last
        }
    }

    /// Copies the next rows (by rowid, after `after`) of the attached main file's `requests`.
    /// - Returns: the last rowid copied, or nil when none was left (or the table is gone: another
    ///   process finished the move and dropped it).
    private static func copyBatch(_ log: SQLiteConnection, after: Int64, rows: Int) throws(StoreError) -> Int64? {
        try log.typedTransaction(immediate: false) { () throws(StoreError) -> Int64? in
            guard try hasRequestsTable(log, legacy: true) else { return nil }
            let last = try log.queryFirst("""
                SELECT max(rowid) FROM (SELECT rowid FROM legacy.requests WHERE rowid > ? ORDER BY rowid LIMIT ?)
                """, [.integer(after), SQLiteValue(rows)]) { $0.int64OrNil(0) } ?? nil
            guard let last else { return nil }
            try log.run("""
                INSERT OR IGNORE INTO main.requests(\(Self.requestColumns))
                SELECT \(Self.requestColumns) FROM legacy.requests WHERE rowid > ? AND rowid <= ?
                """, [.integer(after), .integer(last)])
            return last
        }
    }

    /// Whether the connection's main file (or, with `legacy`, the one attached as `legacy`) has a `requests` table.
    private static func hasRequestsTable(_ db: SQLiteConnection, legacy: Bool) throws(StoreError) -> Bool {
        let count = try db.queryFirst(legacy
            ? "SELECT count(*) FROM legacy.sqlite_master WHERE type = 'table' AND name = 'requests'"
            : "SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = 'requests'") { $0.int(0) }
        return (count ?? 0) > 0
    }
}
