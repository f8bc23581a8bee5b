import Foundation
import Testing
@testable import TriageStore

@Suite struct MigrationsTests {
    @Test func freshFileIsMigratedToLatest() throws {
        try withStore { store, _ throws in
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            #expect(Migrations.latestVersion == 19)
            let tables = try store.read { db in
                try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
            }
            #expect(tables == ["admin_audit", "api_keys", "circuits", "classifier_models", "config_reloads", "feedback", "judge_decisions", "key_spend_periods", "ledger", "misroutes", "reservations", "retrain_kept_out", "schema_migrations", "shadow_comparisons", "shadow_verdict_totals", "spend_periods", "sqlite_sequence", "team_routing", "teams", "workers"])
        }
    }

    @Test func reopeningIsANoOp() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir)
            let first = try Store(path: path)
            let appliedAt = try first.read { db in
                try db.query("SELECT version, applied_at FROM schema_migrations") { [$0.double(0), $0.double(1)] }
            }
            first.close()
            let second = try Store(path: path)
            defer { second.close() }
            #expect(try second.schemaVersion() == Migrations.latestVersion)
            let again = try second.read { db in
                try db.query("SELECT version, applied_at FROM schema_migrations") { [$0.double(0), $0.double(1)] }
            }
            #expect(again == appliedAt)
            #expect(again.count == Migrations.latestVersion)
        }
    }

    @Test func laterMigrationsApplyOnceInOrder() throws {
        try withStore { store, path throws in
            let db = try SQLiteConnection(path: path)
            try db.setBusyTimeout(milliseconds: 5000)
            let next = Migrations.latestVersion + 1
            let v2 = Migrations.all + [Migration(version: next, sql: "CREATE TABLE extra(id INTEGER PRIMARY KEY, name TEXT);")]
            #expect(try Migrations.apply(db, migrations: v2) == [next])
            #expect(try Migrations.apply(db, migrations: v2) == [])
            #expect(try Migrations.currentVersion(db) == next)
            #expect(try store.schemaVersion() == next)
        }
    }

    @Test func failedMigrationRollsBackEntirely() throws {
        try withStore { store, path throws in
            let db = try SQLiteConnection(path: path)
            let broken = Migrations.all + [
                Migration(version: Migrations.latestVersion + 1, sql: "CREATE TABLE half(id INTEGER); CREATE TABLE oops(;"),
            ]
            #expect(throws: StoreError.self) { try Migrations.apply(db, migrations: broken) }
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            let half = try db.queryFirst("SELECT count(*) FROM sqlite_master WHERE name = 'half'") { $0.int(0) }
            #expect(half == 0)
        }
    }

    @Test func concurrentOpenersOfAFreshFileAllSucceed() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir + "/nested/data")
            let errors = onThreads(8) { index in
                let store = try Store(path: path)
                defer { store.close() }
                try store.logRequest(RequestLogEntry(id: "r\(index)", createdAt: t0, status: 200))
            }
            #expect(errors == [])
            let store = try Store(path: path)
            defer { store.close() }
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            #expect(try store.requestCount() == 8)
            let rows = try store.read { db in try db.queryFirst("SELECT count(*) FROM schema_migrations") { $0.int(0) } }
            #expect(rows == Migrations.latestVersion)
        }
    }
}
