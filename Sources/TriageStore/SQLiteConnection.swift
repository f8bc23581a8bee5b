import CSQLite
import Glibc
import Synchronization

/// A thin wrapper over one libsqlite3 connection.
///
/// Values always travel as bound parameters (``SQLiteValue``). Prepared statements are
/// cached by SQL text and checked out of the cache while in use.
///
/// Transactions belong to the connection, not to a thread: callers that share one
/// connection between threads must serialize their transactions (``Store`` does).
///
/// Safety (`@unchecked Sendable`): `db` is immutable after `init` and the handle is opened with
/// `SQLITE_OPEN_FULLMUTEX`, so libsqlite3 serializes every call on it. The only Swift-side
/// mutable state (the statement cache and the closed flag) lives in `state`, a `Mutex`.
/// A cached statement is removed from the cache while a caller uses it, so no statement is ever
/// stepped by two threads at once. `close()` only marks the connection closed and finalizes idle
/// statements; the handle itself is released in `deinit`, when no other reference can exist,
/// so no thread can use a freed handle.
public final class SQLiteConnection: @unchecked Sendable {
    /// The flags used by ``init(path:flags:)`` unless told otherwise.
    public static let defaultFlags: Int32 = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE

    private struct State {
        var closed = false
        var cache: [String: IdleStatement] = [:]
    }

    /// A prepared statement parked in the cache.
    ///
    /// Safety (`@unchecked Sendable`): while parked nobody uses it; `checkOut` removes it from the
    /// cache under the mutex, so exactly one caller holds it at a time.
    private struct IdleStatement: @unchecked Sendable {
        let handle: OpaquePointer
    }

    private let db: OpaquePointer
    private let state = Mutex(State())

    /// The raw handle, for extensions in this module that call libsqlite3 directly.
    var handle: OpaquePointer { db }

    /// Opens (and by default creates) the database file.
    /// - Parameters:
    ///   - path: The file path.
    ///   - flags: `sqlite3_open_v2` flags; by default full mutex, create, read-write.
    public init(path: String, flags: Int32 = SQLiteConnection.defaultFlags) throws(StoreError) {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StoreError(code: rc, message: "\(message) [\(path)]", operation: "open")
        }
        sqlite3_extended_result_codes(handle, 1)
        db = handle
    }

    deinit {
        for statement in state.withLock({ $0.cache.values }) {
            sqlite3_finalize(statement.handle)
        }
        sqlite3_close_v2(db)
    }

    /// Marks the connection closed and releases idle statements; later calls throw.
    public func close() {
        let idle = state.withLock { state -> [IdleStatement] in
            state.closed = true
            defer { state.cache.removeAll() }
            return Array(state.cache.values)
        }
        for statement in idle { sqlite3_finalize(statement.handle) }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Sets the busy timeout: how long a statement waits for another connection's lock.
    ///
    /// SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries, far longer
    /// than the write transactions it waits for (tens of µs): under load, processes sharing the
    /// file spent most of their waits asleep while the lock was free. This handler retries after
    /// 20 µs at first, backing off to 200 µs and then 1 ms, until the timeout.
    /// - Parameter milliseconds: The timeout; 0 fails at once with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int) throws(StoreError) {
        guard milliseconds > 0 else {
            try check(sqlite3_busy_timeout(db, 0), "busy_timeout")
            return
        }
        // The timeout travels as the context pointer's value (a C callback captures nothing).
        let context = UnsafeMutableRawPointer(bitPattern: UInt(milliseconds))
        try check(sqlite3_busy_handler(db, { context, count in
            let limitMicros = Int(bitPattern: context) * 1000
            let tries = Int(count)
            // Time already waited after `tries` sleeps of the schedule below.
            let waited = tries <= 50 ? tries * 20 : tries <= 100 ? 1000 + (tries - 50) * 200 : 11_000 + (tries - 100) * 1000
            guard waited < limitMicros else { return 0 }
            usleep(tries < 50 ? 20 : tries < 100 ? 200 : 1000)
            return 1
        }, context), "busy_timeout")
    }

    /// Runs SQL without parameters, possibly several statements separated by `;`.
    /// Use it for schema and transaction control only; values go through ``run(_:_:)``.
    /// - Parameter sql: The SQL text.
    public func exec(_ sql: String) throws(StoreError) {
        guard !isClosed else { throw .closed("exec") }
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            throw StoreError(code: sqlite3_extended_errcode(db), message: "\(text) [\(sql)]", operation: "exec")
        }
    }

    /// Runs one statement that returns no rows.
    /// - Parameters:
    ///   - sql: The SQL text with `?` placeholders.
    ///   - values: The values bound to the placeholders.
    /// - Returns: The number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws(StoreError) -> Int {
        try withStatement(sql) { statement throws(StoreError) in
            try statement.bind(values)
            while try statement.step() {}
            return Int(sqlite3_changes(db))
        }
    }

    /// Runs a query and maps every row.
    /// - Parameters:
    ///   - sql: The SQL text with `?` placeholders.
    ///   - values: The values bound to the placeholders.
    ///   - map: Turns the current row into a value.
    public func query<T>(_ sql: String, _ values: [SQLiteValue] = [],
                         _ map: (SQLiteRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        try withStatement(sql) { statement throws(StoreError) in
            try statement.bind(values)
            var rows: [T] = []
            while try statement.step() { rows.append(try map(statement.row)) }
            return rows
        }
    }

    /// Runs a query and maps its first row, if any.
    /// - Parameters:
    ///   - sql: The SQL text with `?` placeholders.
    ///   - values: The values bound to the placeholders.
    ///   - map: Turns the first row into a value.
    public func queryFirst<T>(_ sql: String, _ values: [SQLiteValue] = [],
                              _ map: (SQLiteRow) throws(StoreError) -> T) throws(StoreError) -> T? {
        try withStatement(sql) { statement throws(StoreError) in
            try statement.bind(values)
            return try statement.step() ? try map(statement.row) : nil
        }
    }

    /// Lends a prepared statement (from the cache when possible) to `body`, then resets it.
    /// - Parameters:
    ///   - sql: One SQL statement.
    ///   - body: Binds, steps and reads the statement; it must not keep it.
    public func withStatement<T>(_ sql: String,
                                 _ body: (SQLiteStatement) throws(StoreError) -> T) throws(StoreError) -> T {
        let handle = try checkOut(sql)
        defer { checkIn(sql, handle) }
        return try body(SQLiteStatement(handle: handle, db: db, sql: sql))
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// Whether the connection is outside any explicit transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(db) != 0 }

    private func checkOut(_ sql: String) throws(StoreError) -> OpaquePointer {
        let cached = try state.withLock { state throws(StoreError) -> IdleStatement? in
            guard !state.closed else { throw .closed("prepare") }
            return state.cache.removeValue(forKey: sql)
        }
        if let cached { return cached.handle }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw StoreError(code: sqlite3_extended_errcode(db),
                             message: "\(String(cString: sqlite3_errmsg(db))) [\(sql)]", operation: "prepare")
        }
        return handle
    }

    private func checkIn(_ sql: String, _ handle: OpaquePointer) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let idle = IdleStatement(handle: handle)
        let keep = state.withLock { state -> Bool in
            guard !state.closed, state.cache[sql] == nil else { return false }
            state.cache[sql] = idle
            return true
        }
        if !keep { sqlite3_finalize(handle) }
    }

    private func check(_ rc: Int32, _ operation: String) throws(StoreError) {
        guard rc == SQLITE_OK else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(db)), operation: operation)
        }
    }
}
