import CSQLite

/// An error raised by the store or its SQLite wrapper.
///
/// It carries the SQLite result code, SQLite's message and the operation that failed,
/// so a caller can both log it and decide what to do (for example retry on `SQLITE_BUSY`).
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The SQLite result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, ...), possibly extended.
    public var code: Int32
    /// SQLite's error message, or the store's own explanation.
    public var message: String
    /// What the store was doing: "open", "prepare", "step", "migrate", ...
    public var operation: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The SQLite result code.
    ///   - message: A human-readable message.
    ///   - operation: The operation that failed.
    public init(code: Int32, message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation
    }

    /// The primary result code (the low byte of an extended code).
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether another connection held the lock for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    /// Whether a constraint (primary key, foreign key, NOT NULL, CHECK) was violated.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        "TriageStore: \(operation) failed (sqlite code \(code)): \(message)"
    }

    /// The error for any use of a closed connection or store.
    static func closed(_ operation: String) -> StoreError {
        StoreError(code: SQLITE_MISUSE, message: "the store is closed", operation: operation)
    }

    /// The error for a row whose content cannot be decoded into a record.
    static func badValue(_ message: String, operation: String) -> StoreError {
        StoreError(code: SQLITE_MISMATCH, message: message, operation: operation)
    }
}
