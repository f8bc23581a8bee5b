import CSQLite
import Foundation
import Synchronization

/// The SQLite store shared by every process of the host.
///
/// One file, opened at once by the coordinator and every worker, and the request log's file beside
/// it (``StoreSchema``). Each `Store` owns one connection in WAL mode; processes wait for each
/// other's write locks up to the busy timeout. Within a process a `Store` is thread-safe: a `Mutex`
/// serializes all use of its connection, so each call (and each ``write(_:)`` or ``read(_:)`` body)
/// runs alone on it. A main-file `Store` opens a connection to the request log's file the first
/// time one of the request log's methods is called.
public final class Store: Sendable {
    /// The database file path.
    public let path: String
    /// Which file this is.
    public let schema: StoreSchema
    private let busyTimeoutMilliseconds: Int
    private let connection: Mutex<SQLiteConnection?>
    /// The request log's file, opened on first use (main-file stores only).
    private let requestLogFile = Mutex<Store?>(nil)

    /// Opens the store, creating the file and its parent directory if missing,
    /// sets the pragmas and applies pending migrations.
    /// - Parameters:
    ///   - path: The database file path.
    ///   - busyTimeoutMilliseconds: How long to wait for another process's lock before failing.
    ///   - schema: which of the two files `path` is (the request log's is at
    ///     ``requestLogPath(forStore:)`` of the main one's).
    public init(path: String, busyTimeoutMilliseconds: Int = 5000, schema: StoreSchema = .main) throws(StoreError) {
        self.path = path
        self.schema = schema
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(code: SQLITE_CANTOPEN, message: "cannot create \(directory): \(error)",
                             operation: "open")
        }
        let db = try SQLiteConnection(path: path)
        try db.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try Self.configure(db, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        if schema == .main {
            try Self.moveRequestLog(db, storePath: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
        try Migrations.apply(db, migrations: schema.migrations)
        connection = Mutex(db)
    }

    /// The request log's file for the main file at `path`: `triage.sqlite` → `triage-requests.sqlite`.
    public static func requestLogPath(forStore path: String) -> String {
        path.hasSuffix(".sqlite") ? String(path.dropLast(".sqlite".count)) + "-requests.sqlite" : path + "-requests"
    }

    /// The conventional store path inside a data directory.
    /// - Parameter dataDir: The data directory.
    /// - Returns: `"<dataDir>/triage.sqlite"`.
    public static func defaultPath(dataDir: String) -> String {
        URL(fileURLWithPath: dataDir).appendingPathComponent("triage.sqlite").path
    }

    /// The applied schema version.
    public func schemaVersion() throws(StoreError) -> Int {
        try locked("schemaVersion") { db throws(StoreError) in try Migrations.currentVersion(db) }
    }

    /// Runs `PRAGMA integrity_check`.
    /// - Returns: `"ok"` for a sound file, otherwise SQLite's findings, one per line.
    public func integrityCheck() throws(StoreError) -> String {
        try locked("integrityCheck") { db throws(StoreError) in
            try db.query("PRAGMA integrity_check") { $0.text(0) }.joined(separator: "\n")
        }
    }

    /// Closes the connection; later calls throw a ``StoreError`` with `SQLITE_MISUSE`.
    public func close() {
        connection.withLock { db in
            db?.close()
            db = nil
        }
        requestLogFile.withLock { log in
            log?.close()
            log = nil
        }
    }

    /// The store of the request log's file: this one for that file, else its connection, opened on
    /// first use.
    func requestLog() throws(StoreError) -> Store {
        if schema == .requestLog { return self }
        guard connection.withLock({ $0 != nil }) else { throw StoreError.closed("requestLog") }
        return try requestLogFile.withLock { (log: inout Store?) throws(StoreError) -> Store in
            if let log { return log }
            let opened = try Store(path: Self.requestLogPath(forStore: path), busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                   schema: .requestLog)
            log = opened
            return opened
        }
    }

    /// Runs `body` in `BEGIN IMMEDIATE ... COMMIT`, rolling back if it throws.
    /// - Parameter body: The writes; it must not keep the connection.
    /// - Returns: What `body` returned.
    @discardableResult
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try transaction(immediate: true, body)
    }

    /// Runs `body` in a deferred transaction, so its reads see one consistent snapshot.
    /// - Parameter body: The reads; it must not keep the connection.
    /// - Returns: What `body` returned.
    @discardableResult
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try transaction(immediate: false, body)
    }

    private func transaction<T>(immediate: Bool, _ body: (SQLiteConnection) throws -> T) throws -> T {
        var result: T?
        try connection.withLock { (slot: inout SQLiteConnection?) throws in
            guard let db = slot else { throw StoreError.closed(immediate ? "write" : "read") }
            result = try db.transaction(immediate: immediate) { try body(db) }
        }
        return result!
    }

    /// Runs `body` alone on the connection.
    func locked<T>(_ operation: String,
                   _ body: (SQLiteConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        var result: T?
        try connection.withLock { (slot: inout SQLiteConnection?) throws(StoreError) in
            guard let db = slot else { throw StoreError.closed(operation) }
            result = try body(db)
        }
        return result!
    }

    /// Runs `body` alone on the connection inside one deferred read transaction: its queries see one
    /// snapshot, and take the WAL read lock once instead of once per statement.
    func locked<T>(reading operation: String,
                   _ body: (SQLiteConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        try locked(operation) { db throws(StoreError) in
            try db.typedTransaction(immediate: false) { () throws(StoreError) in try body(db) }
        }
    }

    /// Runs `body` alone on the connection inside `BEGIN IMMEDIATE ... COMMIT`.
    func locked<T>(writing operation: String,
                   _ body: (SQLiteConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        try locked(operation) { db throws(StoreError) in
            try db.typedTransaction(immediate: true) { () throws(StoreError) in try body(db) }
        }
    }

    /// Sets the connection pragmas. Switching a fresh file to WAL needs a brief exclusive lock,
    /// so it is retried while another opener holds it.
    private static func configure(_ db: SQLiteConnection, busyTimeoutMilliseconds: Int) throws(StoreError) {
        let deadline = Date().addingTimeInterval(Double(max(busyTimeoutMilliseconds, 0)) / 1000)
        while true {
            do throws(StoreError) {
                let mode = try db.queryFirst("PRAGMA journal_mode=WAL") { $0.text(0) }
                guard mode?.lowercased() == "wal" else {
                    throw StoreError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "unknown"), not wal",
                                     operation: "open")
                }
                break
            } catch where error.isBusy && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        // journal_size_limit: after a checkpoint the WAL file is cut back instead of keeping its largest size.
        try db.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=67108864;")
    }
}
