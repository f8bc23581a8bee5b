import Foundation

extension Store {
    /// Before schema version 12 drops it, copies the main file's `requests` table into the request
    /// log's own file (created if missing). Rows already there are kept (`INSERT OR IGNORE`), so a
    /// copy cut short, or run by two processes opening the store at once, is simply done again.
    /// Does nothing for a fresh file or one already at version 12.
    static func moveRequestLog(_ db: SQLiteConnection, storePath: String, busyTimeoutMilliseconds: Int) throws(StoreError) {
        let version = try Migrations.currentVersion(db)
        guard version >= 1, version < 12, try hasRequestsTable(db, legacy: false) else { return }
        let logPath = requestLogPath(forStore: storePath)
        try Store(path: logPath, busyTimeoutMilliseconds: busyTimeoutMilliseconds, schema: .requestLog).close()
        let log = try SQLiteConnection(path: logPath)
        defer { log.close() }
        try log.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try log.run("ATTACH DATABASE ? AS legacy", [.text(storePath)])
        defer { try? log.exec("DETACH DATABASE legacy") }
        try log.typedTransaction(immediate: true) { () throws(StoreError) in
            // Another process may have finished the move (and dropped the table) meanwhile.
            guard try hasRequestsTable(log, legacy: true) else { return }
            try log.exec("""
                INSERT OR IGNORE INTO main.requests(\(Self.requestColumns)) SELECT \(Self.requestColumns) FROM legacy.requests
                """)
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
