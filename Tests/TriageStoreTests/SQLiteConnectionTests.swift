import Foundation
import Testing
@testable import TriageStore

@Suite struct SQLiteConnectionTests {
    func withConnection(_ body: (SQLiteConnection) throws -> Void) throws {
        try withTempDir { dir throws in
            let db = try SQLiteConnection(path: dir + "/c.sqlite")
            try db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v)")
            try body(db)
        }
    }

    @Test func valuesRoundTripWithTheirTypes() throws {
        try withConnection { db in
            let values: [SQLiteValue] = [.null, .integer(Int64.min), .real(-0.125), .text(""), .text("a\u{0}b"),
                                         .blob([0, 1, 255]), .blob([])]
            for (k, v) in values.enumerated() {
                try db.run("INSERT INTO t(k, v) VALUES (?, ?)", [.integer(Int64(k)), v])
            }
            let back = try db.query("SELECT v, typeof(v) FROM t ORDER BY k") { row in "\(row.textOrNil(0) ?? "nil")|\(row.text(1))" }
            #expect(back == ["nil|null", "-9223372036854775808|integer", "-0.125|real", "|text", "a\u{0}b|text",
                             "\u{0}\u{1}\u{FFFD}|blob", "|blob"])
        }
    }

    @Test func blobsRoundTrip() throws {
        try withConnection { db in
            let bytes: [UInt8] = Array(0...255)
            try db.run("INSERT INTO t(k, v) VALUES (1, ?)", [.blob(bytes)])
            #expect(try db.queryFirst("SELECT v FROM t WHERE k = 1") { $0.blob(0) } == bytes)
        }
    }

    @Test func statementsAreCachedAndReusable() throws {
        try withConnection { db in
            for k in 0..<100 {
                #expect(try db.run("INSERT INTO t(k, v) VALUES (?, ?)", [.integer(Int64(k)), .text("v\(k)")]) == 1)
            }
            let count = try db.queryFirst("SELECT count(*) FROM t WHERE v LIKE ?", [.text("v%")]) { $0.int(0) }
            #expect(count == 100)
        }
    }

    @Test func nestedUseOfTheSameSQLGetsItsOwnStatement() throws {
        try withConnection { db in
            try db.run("INSERT INTO t(k, v) VALUES (1, 'a'), (2, 'b')")
            let pairs = try db.query("SELECT k FROM t ORDER BY k") { outer throws(StoreError) in
                try db.query("SELECT k FROM t ORDER BY k") { $0.int(0) }.map { "\(outer.int(0))\($0)" }
            }
            #expect(pairs == [["11", "12"], ["21", "22"]])
        }
    }

    @Test func prepareErrorsAreTyped() throws {
        try withConnection { db in
            let error = #expect(throws: StoreError.self) { try db.run("SELEC nonsense") }
            #expect(error?.operation == "prepare")
            #expect(error?.message.contains("syntax error") == true)
        }
    }

    @Test func transactionCommitsOrRollsBack() throws {
        try withConnection { db in
            try db.transaction(immediate: true) { try db.run("INSERT INTO t(k) VALUES (1)") }
            #expect(throws: TestFailure.self) {
                try db.transaction(immediate: false) {
                    try db.run("INSERT INTO t(k) VALUES (2)")
                    throw TestFailure()
                }
            }
            #expect(db.isAutocommit)
            #expect(try db.queryFirst("SELECT count(*) FROM t") { $0.int(0) } == 1)
        }
    }

    @Test func closedConnectionThrows() throws {
        try withConnection { db in
            db.close()
            #expect(db.isClosed)
            #expect(throws: StoreError.self) { try db.run("SELECT 1") }
            #expect(throws: StoreError.self) { try db.exec("SELECT 1") }
        }
    }

    @Test func aLockHeldElsewhereIsWaitedForUpToTheBusyTimeoutOnly() throws {
        try withTempDir { dir throws in
            let holder = try SQLiteConnection(path: dir + "/b.sqlite")
            try holder.exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x)")
            let waiter = try SQLiteConnection(path: dir + "/b.sqlite")
            try waiter.setBusyTimeout(milliseconds: 300)
            try holder.exec("BEGIN IMMEDIATE")
            let start = ContinuousClock.now
            let error = #expect(throws: StoreError.self) { try waiter.exec("BEGIN IMMEDIATE") }
            let waited = start.duration(to: .now)
            #expect(error?.isBusy == true)
            #expect(waited >= .milliseconds(250) && waited < .seconds(2), "\(waited)")
            // Released while waiting: the waiter gets the lock well before its timeout.
            try holder.exec("COMMIT")
            try waiter.setBusyTimeout(milliseconds: 5000)
            try holder.exec("BEGIN IMMEDIATE")
            let release = Thread { usleep(50_000); try? holder.exec("COMMIT") }
            release.start()
            let t0 = ContinuousClock.now
            try waiter.exec("BEGIN IMMEDIATE")
            #expect(t0.duration(to: .now) < .seconds(1))
            try waiter.exec("COMMIT")
            holder.close()
            waiter.close()
        }
    }
}
