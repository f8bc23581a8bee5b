import Foundation

/// A value bound to a statement parameter.
///
/// Every value reaches SQLite through `sqlite3_bind_*`, never through the SQL text,
/// so quotes or SQL inside strings are stored verbatim.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue {
    /// Binds an optional string (`nil` becomes NULL).
    public init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    /// Binds an optional 64-bit integer (`nil` becomes NULL).
    public init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    /// Binds an optional integer (`nil` becomes NULL).
    public init(_ value: Int?) {
        self = value.map { .integer(Int64($0)) } ?? .null
    }

    /// Binds an optional double (`nil` becomes NULL).
    public init(_ value: Double?) {
        self = value.map { .real($0) } ?? .null
    }

    /// Binds a boolean as the integer 0 or 1.
    public init(_ value: Bool) {
        self = .integer(value ? 1 : 0)
    }

    /// Binds an optional date as REAL seconds since 1970-01-01 UTC (`nil` becomes NULL).
    public init(_ value: Date?) {
        self = value.map { .real($0.timeIntervalSince1970) } ?? .null
    }
}
