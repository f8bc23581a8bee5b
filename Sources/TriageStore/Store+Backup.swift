import CSQLite
import Foundation

extension Store {
    /// One file a backup wrote.
    public struct BackupFile: Sendable, Equatable {
        /// Which of the store's files it copies.
        public var schema: StoreSchema
        /// The live file copied.
        public var source: String
        /// The copy.
        public var path: String
        /// The copy's size in bytes.
        public var bytes: Int64

        public init(schema: StoreSchema, source: String, path: String, bytes: Int64) {
            self.schema = schema
            self.source = source
            self.path = path
            self.bytes = bytes
        }
    }

    /// Writes a consistent copy of the store, its main file and its request log's, into
    /// `directory` (created when missing), with SQLite's `VACUUM INTO`: each file is copied from one
    /// read snapshot while every other process goes on reading and writing, and the copy is
    /// compact and needs no WAL beside it. The request log is copied after the main file, so it may
    /// hold a few rows more. Restoring is copying both files into a stopped cluster's data
    /// directory (removing its `-wal` and `-shm` files first).
    ///
    /// The copy leaves out what belongs to the processes running when it was taken, which a
    /// restored cluster must not inherit: their worker registrations (a coordinator on the copy
    /// would connect to those sockets) and their reservations and leases (the requests they held
    /// money for settle in the live store, after the snapshot). Shadow comparisons still running
    /// are closed as `unknown`, as a dead worker's are.
    ///
    /// Settlements that workers which are gone journaled and never committed (see
    /// ``SettlementJournal``) are written to the ledger first, as a reclaim pass would, so the copy
    /// holds their charges too (the journals themselves are not copied). Nothing else of a reclaim
    /// pass happens here: no process is judged dead.
    /// - Throws: a ``StoreError`` when a copy's file already exists (a backup never overwrites) or
    ///   SQLite fails.
    /// - Returns: The files written, main file first.
    public func backup(into directory: String) throws(StoreError) -> [BackupFile] {
        let stores = schema == .main ? [self, try requestLog()] : [self]
        for store in stores where FileManager.default.fileExists(atPath: store.backupTarget(in: directory)) {
            throw StoreError(code: SQLITE_CANTOPEN, message: "\(store.backupTarget(in: directory)) already exists: a backup never overwrites a file",
                             operation: "backup")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(code: SQLITE_CANTOPEN, message: "cannot create \(directory): \(error)", operation: "backup")
        }
        if schema == .main {
            let journals = SettlementJournal.directory(forStore: path)
            let abandoned = SettlementJournal.abandoned(in: journals, shared: true)
            for segment in abandoned { segment.keep() }
            if !abandoned.isEmpty { _ = try reclaim(now: Date(), host: "", isAlive: { _ in true }, journals: journals) }
        }
        var files: [BackupFile] = []
        for store in stores { files.append(try store.copyFile(to: store.backupTarget(in: directory))) }
        return files
    }

    /// Deletes from a main file's fresh copy what belonged to the processes of the live store.
    private static func leaveOutProcessState(copy path: String) throws(StoreError) {
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        try db.exec("""
            BEGIN IMMEDIATE;
            DELETE FROM workers;
            DELETE FROM reservations;
            INSERT INTO shadow_verdict_totals(tier, verdict, count)
                SELECT tier, 'unknown', count(*) FROM shadow_comparisons WHERE verdict IS NULL GROUP BY tier
                ON CONFLICT(tier, verdict) DO UPDATE SET count = count + excluded.count;
            UPDATE shadow_comparisons
                SET verdict = 'unknown', detail = 'still running when the backup was taken', cost_nano = 0,
                    finished_at = (julianday('now') - 2440587.5) * 86400.0
                WHERE verdict IS NULL;
            COMMIT;
            """)
    }

    /// Where this file's copy goes in `directory`: the same name.
    private func backupTarget(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
    }

    /// `VACUUM INTO target`, readable by its owner only (it holds key hashes and spend).
    private func copyFile(to target: String) throws(StoreError) -> BackupFile {
        try locked("backup") { db throws(StoreError) in
            _ = try db.run("VACUUM INTO ?", [.text(target)])
        }
        chmod(target, 0o600)
        if schema == .main {
            do throws(StoreError) {
                try Self.leaveOutProcessState(copy: target)
            } catch {
                try? FileManager.default.removeItem(atPath: target)  // no half-made copy in the way of the next try
                throw error
            }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupFile(schema: schema, source: path, path: target, bytes: size)
    }
}

/// What a backup's copy holds, read back from the copy itself.
public struct BackupCheck: Sendable, Equatable {
    /// `PRAGMA integrity_check`: `ok` for a sound file.
    public var integrity: String
    /// The copy's schema version.
    public var schemaVersion: Int
    /// Rows of the copy's principal tables: teams, API keys and ledger rows (main file), or
    /// requests (the request log).
    public var tables: [TableRows]
    /// The ledger's total over all time, in nano-USD (main file only).
    public var ledgerNano: Int64?

    /// A table and its number of rows.
    public struct TableRows: Sendable, Equatable {
        public var table: String
        public var rows: Int

        public init(table: String, rows: Int) {
            self.table = table
            self.rows = rows
        }
    }
}

extension Store.BackupFile {
    /// Opens the copy on its own connection (it is not a live store: nothing is migrated) and
    /// checks it.
    public func check() throws(StoreError) -> BackupCheck {
        try BackupCheck.read(path, schema: schema)
    }
}

extension BackupCheck {
    /// Opens the backup copy at `path`, a file of `schema`, on its own connection (nothing is
    /// migrated) and checks it.
    public static func read(_ path: String, schema: StoreSchema) throws(StoreError) -> BackupCheck {
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        let integrity = try db.query("PRAGMA integrity_check") { $0.text(0) }.joined(separator: "\n")
        let version = try Migrations.currentVersion(db)
        switch schema {
        case .main:
            let teams = try db.queryFirst("SELECT count(*) FROM teams") { $0.int(0) } ?? 0
            let keys = try db.queryFirst("SELECT count(*) FROM api_keys") { $0.int(0) } ?? 0
            let (ledger, total) = try db.queryFirst("SELECT count(*), coalesce(sum(cost_nano), 0) FROM ledger") { ($0.int(0), $0.int64(1)) } ?? (0, 0)
            return BackupCheck(integrity: integrity, schemaVersion: version,
                               tables: [.init(table: "teams", rows: teams), .init(table: "api_keys", rows: keys), .init(table: "ledger", rows: ledger)],
                               ledgerNano: total)
        case .requestLog:
            let requests = try db.queryFirst("SELECT count(*) FROM requests") { $0.int(0) } ?? 0
            return BackupCheck(integrity: integrity, schemaVersion: version, tables: [.init(table: "requests", rows: requests)], ledgerNano: nil)
        }
    }
}
