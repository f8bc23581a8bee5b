import Foundation
import Testing
@testable import TriageStore

@Suite struct MigrationsTests {
    @Test func freshFileIsMigratedToLatest() throws {
        try withStore { store, _ throws in
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            #expect(Migrations.latestVersion == 21)
            let tables = try store.read { db in
                try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
            }
            #expect(tables == ["admin_audit", "api_keys", "circuits", "classifier_models", "config_reloads", "feedback", "id_sequences", "judge_decisions", "key_spend_periods", "ledger", "misroutes", "reservations", "retrain_kept_out", "schema_migrations", "shadow_comparisons", "shadow_verdict_totals", "spend_periods", "sqlite_sequence", "team_routing", "teams", "workers"])
        }
    }

    /// A store from before schema v20 in which the newest team and key were deleted: the ids the
    /// migration starts from are past every id the store still names, so neither comes back.
    @Test func idSequencesStartPastEveryIdTheStoreStillNames() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir)
            let db = try SQLiteConnection(path: path)
            try Migrations.apply(db, migrations: Array(Migrations.all.prefix(19)))
            try db.exec("""
                INSERT INTO teams(id, name, period, created_at) VALUES (1, 'kept', 'monthly', 0), (2, 'gone', 'monthly', 0);
                INSERT INTO api_keys(id, team_id, prefix, hash, created_at) VALUES (1, 1, 'k1', x'00', 0), (2, 2, 'k2', x'00', 0);
                INSERT INTO ledger(team_id, request_id, created_at, period_start, prompt_tokens, completion_tokens, cost_nano, outcome, key_id)
                    VALUES (2, 'r', 0, 0, 1, 1, 5, 'ok', 2);
                DELETE FROM api_keys WHERE id = 2;
                DELETE FROM teams WHERE id = 2;
                """)
            db.close()
            let store = try Store(path: path)
            defer { store.close() }
            let team = try store.createTeam(name: "new", budgetNano: nil, period: "monthly", softLimit: nil)
            #expect(team.id == 3, "past the deleted team 2, whose ledger row names it")
            #expect(try store.ledgerTotalNano(teamID: team.id) == 0)
            #expect(try store.createKey(teamID: team.id, name: nil, prefix: "k3", hash: [0]) == 3)
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
