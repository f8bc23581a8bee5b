import Foundation

/// One step of the schema: a version number and the SQL that brings the previous version to it.
public struct Migration: Sendable {
    /// The schema version after this migration; versions start at 1 and increase by 1.
    public let version: Int
    /// Schema SQL, possibly several statements; it must not contain values.
    public let sql: String

    /// Creates a migration.
    /// - Parameters:
    ///   - version: The schema version it produces.
    ///   - sql: The DDL to run.
    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }
}

/// The ordered schema migrations and the code that applies them.
///
/// Any process may open the store first, so migrating is race-safe: the current version is
/// re-read inside `BEGIN IMMEDIATE`, which lets one writer in at a time; a process that lost
/// the race finds the schema already current and commits nothing.
enum Migrations {
    /// Every migration, in order. Append new ones; never edit a released one.
    static let all: [Migration] = [
        Migration(version: 1, sql: SchemaV1.sql),
        Migration(version: 2, sql: SchemaV2.sql),
        Migration(version: 3, sql: SchemaV3.sql),
        Migration(version: 4, sql: SchemaV4.sql),
        Migration(version: 5, sql: SchemaV5.sql),
        Migration(version: 6, sql: SchemaV6.sql),
        Migration(version: 7, sql: SchemaV7.sql),
        Migration(version: 8, sql: SchemaV8.sql),
        Migration(version: 9, sql: SchemaV9.sql),
        Migration(version: 10, sql: SchemaV10.sql),
        Migration(version: 11, sql: SchemaV11.sql),
        Migration(version: 12, sql: SchemaV12.sql),
        Migration(version: 13, sql: SchemaV13.sql),
        Migration(version: 14, sql: SchemaV14.sql),
        Migration(version: 15, sql: SchemaV15.sql),
        Migration(version: 16, sql: SchemaV16.sql),
        Migration(version: 17, sql: SchemaV17.sql),
        Migration(version: 18, sql: SchemaV18.sql),
        Migration(version: 19, sql: SchemaV19.sql),
        Migration(version: 20, sql: SchemaV20.sql),
        Migration(version: 21, sql: SchemaV21.sql),
    ]

    /// The request log file's migrations (``StoreSchema/requestLog``), numbered on their own.
    static let requestLog: [Migration] = [
        Migration(version: 1, sql: RequestLogSchemaV1.sql),
        Migration(version: 2, sql: RequestLogSchemaV2.sql),
    ]

    /// The version the code expects.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// The applied version, 0 for a fresh file.
    static func currentVersion(_ db: SQLiteConnection) throws(StoreError) -> Int {
        let exists = try db.queryFirst(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            [.text("schema_migrations")]) { $0.int(0) } ?? 0
        guard exists > 0 else { return 0 }
        return try db.queryFirst("SELECT coalesce(max(version), 0) FROM schema_migrations") { $0.int(0) } ?? 0
    }

    /// Applies every pending migration.
    /// - Parameters:
    ///   - db: An open connection.
    ///   - migrations: The migrations to apply (tests may pass their own).
    ///   - now: The clock for `applied_at`.
    /// - Returns: The versions applied by this call (empty when already current).
    @discardableResult
    static func apply(_ db: SQLiteConnection, migrations: [Migration] = all,
                      now: () -> Date = Date.init) throws(StoreError) -> [Int] {
        let latest = migrations.last?.version ?? 0
        // Fast path without the write lock: most opens find the schema current.
        if try currentVersion(db) >= latest { return [] }
        return try db.typedTransaction(immediate: true) { () throws(StoreError) -> [Int] in
            try db.exec("""
                CREATE TABLE IF NOT EXISTS schema_migrations(
                    version INTEGER PRIMARY KEY,
                    applied_at REAL NOT NULL)
                """)
            let current = try currentVersion(db)
            var applied: [Int] = []
            for migration in migrations where migration.version > current {
                try db.exec(migration.sql)
                try db.run("INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)",
                           [SQLiteValue(migration.version), SQLiteValue(now())])
                applied.append(migration.version)
            }
            return applied
        }
    }
}
