import CSQLite
import Foundation

/// A prepared statement borrowed from a ``SQLiteConnection``.
///
/// It is valid only inside the closure that received it; the connection resets it,
/// clears its bindings and returns it to its cache afterwards.
public struct SQLiteStatement {
    let handle: OpaquePointer
    let db: OpaquePointer
    let sql: String

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds the parameters in order, starting at parameter 1.
    /// - Parameter values: One value per `?` in the statement.
    public func bind(_ values: [SQLiteValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one parameter.
    /// - Parameters:
    ///   - value: The value to bind.
    ///   - index: The 1-based parameter index.
    public func bind(_ value: SQLiteValue, at index: Int32) throws(StoreError) {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case .integer(let v):
            rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            rc = sqlite3_bind_double(handle, index, v)
        case .text(let v):
            let length = Int32(v.utf8.count)
            rc = v.withCString { sqlite3_bind_text(handle, index, $0, length, Self.transient) }
        case .blob(let v):
            rc = v.withUnsafeBytes { buf in
                sqlite3_bind_blob(handle, index, buf.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                  Int32(buf.count), Self.transient)
            }
        }
        guard rc == SQLITE_OK else { throw error(rc, "bind") }
    }

    /// Advances the statement.
    /// - Returns: `true` when a row is available through ``row``, `false` when done.
    public func step() throws(StoreError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw error(rc, "step")
        }
    }

    /// The current row; valid until the next ``step()``.
    public var row: SQLiteRow { SQLiteRow(handle: handle) }

    private func error(_ rc: Int32, _ operation: String) -> StoreError {
        let message = String(cString: sqlite3_errmsg(db))
        return StoreError(code: sqlite3_extended_errcode(db), message: "\(message) [\(sql)]",
                          operation: operation)
    }
}

/// Typed access to the columns of the current row (0-based indexes).
public struct SQLiteRow {
    let handle: OpaquePointer

    /// The number of columns in the result.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether the column is NULL.
    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// The column as a 64-bit integer (NULL reads as 0).
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as an integer, or `nil` when NULL.
    public func int64OrNil(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// The column as an `Int` (NULL reads as 0).
    public func int(_ column: Int32) -> Int { Int(int64(column)) }

    /// The column as an `Int`, or `nil` when NULL.
    public func intOrNil(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    /// The column as a boolean (non-zero is `true`).
    public func bool(_ column: Int32) -> Bool { int64(column) != 0 }

    /// The column as a double (NULL reads as 0).
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as a double, or `nil` when NULL.
    public func doubleOrNil(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    /// The column as a string (NULL reads as "").
    public func text(_ column: Int32) -> String { textOrNil(column) ?? "" }

    /// The column as a string, or `nil` when NULL.
    public func textOrNil(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as bytes (NULL reads as empty).
    public func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column as REAL seconds since 1970 converted to a date.
    public func date(_ column: Int32) -> Date { Date(timeIntervalSince1970: double(column)) }

    /// The column as a date, or `nil` when NULL.
    public func dateOrNil(_ column: Int32) -> Date? { isNull(column) ? nil : date(column) }
}
