import Foundation
import Testing
@testable import TriageStore

/// The request log lives in a file of its own beside the main one, so its writes never take the
/// main file's write lock (the one budget reservations and settlements need).
@Suite struct RequestLogFileTests {
    @Test func theLogFileSitsBesideTheMainOne() {
        #expect(Store.requestLogPath(forStore: "/var/lib/triage/triage.sqlite") == "/var/lib/triage/triage-requests.sqlite")
        #expect(Store.requestLogPath(forStore: "/data/store.db") == "/data/store.db-requests")
    }

    @Test func rowsAreWrittenToTheLogFileNotTheMainOne() throws {
        try withStore { store, path throws in
            try store.logRequest(RequestLogEntry(id: "r1", createdAt: t0, teamID: 7, status: 200, costNano: 42))
            let log = try SQLiteConnection(path: Store.requestLogPath(forStore: path))
            defer { log.close() }
            #expect(try log.queryFirst("SELECT count(*) FROM requests WHERE id = 'r1' AND cost_nano = 42") { $0.int(0) } == 1)
            let mainTables = try store.read { db in
                try db.queryFirst("SELECT count(*) FROM sqlite_master WHERE name = 'requests'") { $0.int(0) }
            }
            #expect(mainTables == 0)
        }
    }

    @Test func logRowsAreWrittenWhileAnotherProcessHoldsTheMainWriteLock() throws {
        try withStore { _, path throws in
            let holder = try SQLiteConnection(path: path)
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            defer { try? holder.exec("ROLLBACK") }
            // A short busy timeout: with the log in the main file this write would fail with SQLITE_BUSY.
            let impatient = try Store(path: path, busyTimeoutMilliseconds: 50)
            defer { impatient.close() }
            try impatient.logRequest(RequestLogEntry(id: "while-locked", createdAt: t0, status: 200))
            #expect(try impatient.request(id: "while-locked")?.status == 200)
            #expect(throws: StoreError.self) { try impatient.write { db in try db.exec("DELETE FROM workers") } }
        }
    }

    @Test func aWriterOfTheLogFileCommitsWhileTheMainFileIsLocked() async throws {
        try await withTempDirAsync { dir in
            let path = Store.defaultPath(dataDir: dir)
            let store = try Store(path: path)
            defer { store.close() }
            let writer = try StoreWriter(path: Store.requestLogPath(forStore: path), busyTimeoutMilliseconds: 50,
                                         laterDelay: .milliseconds(5), schema: .requestLog)
            defer { writer.close() }
            let holder = try SQLiteConnection(path: path)
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            writer.logRequestLater(RequestLogEntry(id: "queued", createdAt: t0, status: 201)) { error in
                Issue.record("log write failed: \(error)")
            }
            await writer.flush()
            try holder.exec("ROLLBACK")
            #expect(try store.request(id: "queued")?.status == 201)
        }
    }

    @Test func anOlderStoresRequestsMoveToTheLogFile() throws {
        try withTempDir { dir throws in
            let path = Store.defaultPath(dataDir: dir)
            let rows = (0..<5).map { i in
                RequestLogEntry(id: "old-\(i)", createdAt: t0.addingTimeInterval(Double(i)), teamID: 1, tier: "simple",
                                stream: i % 2 == 0, attempts: 1 + i, status: 200, latencyMs: 1.5, costNano: 1_000 + Int64(i))
            }
            try Self.makeVersion11Store(at: path, rows: rows)
            // A copy cut short before the main file's table was dropped: one row is already there.
            let log = try Store(path: Store.requestLogPath(forStore: path), schema: .requestLog)
            defer { log.close() }
            try log.logRequest(rows[2])
            // The copy, two rows per transaction (three of them here), before the migration drops the table.
            let old = try SQLiteConnection(path: path)
            try Store.moveRequestLog(old, storePath: path, busyTimeoutMilliseconds: 1000, rowsPerTransaction: 2)
            old.close()
            #expect(try log.recentRequests(limit: 10).reversed() == rows)

            let store = try Store(path: path)
            defer { store.close() }
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            #expect(try store.requestCount() == rows.count)
            #expect(try store.recentRequests(limit: 10).reversed() == rows)
            let mainTables = try store.read { db in
                try db.queryFirst("SELECT count(*) FROM sqlite_master WHERE name = 'requests'") { $0.int(0) }
            }
            #expect(mainTables == 0)
            // Opening again moves nothing twice.
            let again = try Store(path: path)
            defer { again.close() }
            #expect(try again.requestCount() == rows.count)
        }
    }

    @Test func trafficByTeamJoinsTheNamesFromTheMainFile() throws {
        try withStore { store, _ throws in
            let red = try store.createTeam(name: "red", budgetNano: nil, period: "monthly", softLimit: nil)
            let blue = try store.createTeam(name: "blue", budgetNano: nil, period: "monthly", softLimit: nil)
            let gone = try store.createTeam(name: "gone", budgetNano: nil, period: "monthly", softLimit: nil)
            let entries: [(String, Int64?, String, Int, Int64)] = [
                ("a", red.id, "simple", 200, 10), ("b", red.id, "simple", 500, 20), ("c", red.id, "complex", 200, 30),
                ("d", blue.id, "simple", 200, 40), ("e", gone.id, "simple", 200, 50), ("f", nil, "simple", 200, 60),
            ]
            for (id, team, tier, status, cost) in entries {
                try store.logRequest(RequestLogEntry(id: id, createdAt: t0, teamID: team, tier: tier, status: status,
                                                     promptTokens: 1, completionTokens: 2, costNano: cost))
            }
            try store.logRequest(RequestLogEntry(id: "before", createdAt: t0.addingTimeInterval(-10), teamID: red.id, tier: "simple",
                                                 status: 200, costNano: 1_000))
            #expect(try store.deleteTeam(name: "gone"))

            let all = try store.tierTraffic(since: t0)
            #expect(all.map { "\($0.team)/\($0.tier)/\($0.requests)/\($0.errors)/\($0.costNano)" } == [
                "(no team)/simple/2/0/110", "blue/simple/1/0/40", "red/complex/1/0/30", "red/simple/2/1/30",
            ])
            #expect(all.first?.promptTokens == 2 && all.first?.completionTokens == 4)
            #expect(try store.tierTraffic(since: t0, team: "red").map(\.requests) == [1, 2])
            #expect(try store.tierTraffic(since: t0, team: "nobody").isEmpty)
        }
    }

    /// Writes a store file as schema version 11 left it, with `rows` in its `requests` table.
    private static func makeVersion11Store(at path: String, rows: [RequestLogEntry]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        try Migrations.apply(db, migrations: Array(Migrations.all.prefix(11)))
        try db.typedTransaction(immediate: true) { () throws(StoreError) in
            // That version's columns: the prompt-cache counts came with the log file's schema 2.
            for r in rows {
                _ = try db.run("""
                    INSERT INTO requests(id, created_at, team_id, tier, stream, attempts, status, latency_ms, cost_nano)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.text(r.id), SQLiteValue(r.createdAt), SQLiteValue(r.teamID), SQLiteValue(r.tier), SQLiteValue(r.stream),
                          SQLiteValue(r.attempts), SQLiteValue(r.status), SQLiteValue(r.latencyMs), .integer(r.costNano)])
            }
        }
    }
}
