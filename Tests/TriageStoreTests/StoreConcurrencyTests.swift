import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreConcurrencyTests {
    @Test func manyWritersThroughSeparateStoresLoseNoRow() throws {
        try withStore { store, path throws in
            let threads = 8, perThread = 200
            let errors = onThreads(threads) { t in
                let mine = try Store(path: path)
                defer { mine.close() }
                for i in 0..<perThread {
                    try mine.logRequest(RequestLogEntry(id: "t\(t)-\(i)", createdAt: t0, teamID: Int64(t),
                                                        status: 200, costNano: 1))
                }
            }
            #expect(errors == [])
            #expect(try store.requestCount() == threads * perThread)
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test func oneStoreSharedByManyThreads() throws {
        try withStore { store, _ throws in
            let errors = onThreads(8) { t in
                for i in 0..<50 {
                    try store.requestLog().write { db in
                        try db.run("""
                            INSERT INTO requests(id, created_at, stream, attempts, status) VALUES (?, ?, 0, 1, 200)
                            """, [.text("s\(t)-\(i)"), SQLiteValue(t0)])
                    }
                    _ = try store.recentRequests(limit: 5)
                }
            }
            #expect(errors == [])
            #expect(try store.requestCount() == 400)
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test func readModifyWriteInsideWriteIsAtomicAcrossStores() throws {
        try withStore { store, path throws in
            try store.registerWorker(WorkerRecord(id: "counter", pid: 0, host: "h", socketPath: "s",
                                                  capacity: 0, startedAt: t0))
            let errors = onThreads(6) { _ in
                let mine = try Store(path: path)
                defer { mine.close() }
                for _ in 0..<50 {
                    try mine.write { db in
                        let c = try db.queryFirst("SELECT capacity FROM workers WHERE id = ?", [.text("counter")]) { $0.int(0) } ?? 0
                        try db.run("UPDATE workers SET capacity = ? WHERE id = ?", [SQLiteValue(c + 1), .text("counter")])
                    }
                }
            }
            #expect(errors == [])
            #expect(try store.workers().first?.capacity == 300)
        }
    }
}
