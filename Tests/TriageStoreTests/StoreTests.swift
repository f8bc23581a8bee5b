import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreTests {
    @Test func defaultPathIsInsideTheDataDir() {
        #expect(Store.defaultPath(dataDir: "/var/lib/triage") == "/var/lib/triage/triage.sqlite")
    }

    @Test func openCreatesMissingParentDirectories() throws {
        try withTempDir { dir throws in
            let path = dir + "/a/b/triage.sqlite"
            let store = try Store(path: path)
            defer { store.close() }
            #expect(store.path == path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test func pragmasAreSet() throws {
        try withStore { store, _ throws in
            let (mode, sync, fk) = try store.read { db in
                (try db.queryFirst("PRAGMA journal_mode") { $0.text(0) },
                 try db.queryFirst("PRAGMA synchronous") { $0.int(0) },
                 try db.queryFirst("PRAGMA foreign_keys") { $0.int(0) })
            }
            #expect(mode == "wal")
            #expect(sync == 1) // NORMAL
            #expect(fk == 1)
        }
    }

    @Test func twoStoresOnOneFileSeeEachOthersWrites() throws {
        try withStore { a, path in
            let b = try Store(path: path)
            defer { b.close() }
            try a.logRequest(RequestLogEntry(id: "from-a", createdAt: t0, status: 200))
            try b.logRequest(RequestLogEntry(id: "from-b", createdAt: t0, status: 500))
            #expect(try a.requestCount() == 2)
            #expect(try b.request(id: "from-a")?.status == 200)
            #expect(try a.request(id: "from-b")?.status == 500)
        }
    }

    @Test func writeCommitsAndReturnsTheBodyResult() throws {
        try withStore { store, _ throws in
            let changed = try store.requestLog().write { db in
                try db.run("INSERT INTO requests(id, created_at, stream, attempts, status) VALUES (?, ?, 0, 1, 200)",
                           [.text("w1"), SQLiteValue(t0)])
            }
            #expect(changed == 1)
            #expect(try store.requestCount() == 1)
        }
    }

    @Test func writeRollsBackWhenTheBodyThrows() throws {
        try withStore { store, _ throws in
            #expect(throws: TestFailure.self) {
                try store.requestLog().write { db in
                    try db.run("INSERT INTO requests(id, created_at, stream, attempts, status) VALUES (?, ?, 0, 1, 200)",
                               [.text("gone"), SQLiteValue(t0)])
                    throw TestFailure()
                }
            }
            #expect(try store.requestCount() == 0)
            // The connection is usable again afterwards.
            try store.logRequest(RequestLogEntry(id: "kept", createdAt: t0, status: 200))
            #expect(try store.requestCount() == 1)
        }
    }

    @Test func writeRollsBackWhenAStatementFails() throws {
        try withStore { store, _ throws in
            let error = #expect(throws: StoreError.self) {
                try store.write { db in
                    try db.run("INSERT INTO workers VALUES (?, 1, 'h', 's', 1, 'ready', 0, 0)", [.text("w")])
                    try db.run("INSERT INTO workers VALUES (?, 1, 'h', 's', 1, 'bogus', 0, 0)", [.text("x")])
                }
            }
            #expect(error?.isConstraintViolation == true)
            #expect(error?.operation == "step")
            #expect(try store.workers().isEmpty)
        }
    }

    @Test func closedStoreThrowsMisuse() throws {
        try withStore { store, _ throws in
            store.close()
            let error = #expect(throws: StoreError.self) { try store.requestCount() }
            #expect(error?.message == "the store is closed")
            #expect(throws: StoreError.self) { try store.write { _ in 1 } }
            store.close() // idempotent
        }
    }

    @Test func errorDescriptionNamesOperationAndCode() {
        let error = StoreError(code: 5, message: "database is locked", operation: "step")
        #expect(error.description == "TriageStore: step failed (sqlite code 5): database is locked")
        #expect(error.isBusy)
    }
}
