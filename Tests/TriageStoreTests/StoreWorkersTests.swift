import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreWorkersTests {
    func worker(_ id: String, heartbeat: Date = t0, state: WorkerRecord.State = .ready) -> WorkerRecord {
        WorkerRecord(id: id, pid: 4242, host: "box-1", socketPath: "/run/triage/\(id).sock", capacity: 16,
                     state: state, startedAt: t0.addingTimeInterval(-60), heartbeatAt: heartbeat)
    }

    @Test func registerRoundTripsAndUpserts() throws {
        try withStore { store, _ throws in
            let w = worker("w1")
            try store.registerWorker(w)
            #expect(try store.workers() == [w])
            var changed = w
            changed.pid = 99
            changed.capacity = 4
            changed.socketPath = "/tmp/o'neil.sock"
            try store.registerWorker(changed)
            #expect(try store.workers() == [changed])
        }
    }

    @Test func heartbeatAndStateUpdateOneWorker() throws {
        try withStore { store, _ throws in
            try store.registerWorker(worker("a"))
            try store.registerWorker(worker("b"))
            #expect(try store.heartbeatWorker(id: "a", at: t0.addingTimeInterval(30)))
            #expect(try store.setWorkerState(id: "b", state: .draining))
            #expect(try store.heartbeatWorker(id: "missing", at: t0) == false)
            #expect(try store.setWorkerState(id: "missing", state: .stopped) == false)
            let all = try store.workers()
            #expect(all.map(\.id) == ["a", "b"])
            #expect(all[0].heartbeatAt == t0.addingTimeInterval(30))
            #expect(all[0].state == .ready)
            #expect(all[1].heartbeatAt == t0)
            #expect(all[1].state == .draining)
        }
    }

    @Test func liveWorkersExcludesStoppedAndStale() throws {
        try withStore { store, _ throws in
            try store.registerWorker(worker("fresh", heartbeat: t0))
            try store.registerWorker(worker("edge", heartbeat: t0.addingTimeInterval(-10)))
            try store.registerWorker(worker("stale", heartbeat: t0.addingTimeInterval(-10.5)))
            try store.registerWorker(worker("stopped", heartbeat: t0, state: .stopped))
            try store.registerWorker(worker("draining", heartbeat: t0, state: .draining))
            let live = try store.liveWorkers(now: t0, staleAfter: 10)
            #expect(live.map(\.id) == ["draining", "edge", "fresh"])
        }
    }

    @Test func pruneDeletesOnlyStaleRows() throws {
        try withStore { store, _ throws in
            try store.registerWorker(worker("fresh", heartbeat: t0))
            try store.registerWorker(worker("edge", heartbeat: t0.addingTimeInterval(-10)))
            try store.registerWorker(worker("stale1", heartbeat: t0.addingTimeInterval(-11)))
            try store.registerWorker(worker("stale2", heartbeat: t0.addingTimeInterval(-3600), state: .stopped))
            #expect(try store.pruneWorkers(now: t0, staleAfter: 10) == 2)
            #expect(try store.workers().map(\.id) == ["edge", "fresh"])
            #expect(try store.pruneWorkers(now: t0, staleAfter: 10) == 0)
        }
    }

    @Test func removeWorker() throws {
        try withStore { store, _ throws in
            try store.registerWorker(worker("a"))
            #expect(try store.removeWorker(id: "a"))
            #expect(try store.removeWorker(id: "a") == false)
            #expect(try store.workers().isEmpty)
        }
    }

    @Test func unknownStateInTheFileIsATypedError() throws {
        try withStore { store, _ throws in
            // Simulate a row written by a newer version that dropped the CHECK; here we bypass it.
            try store.write { db in
                try db.exec("PRAGMA ignore_check_constraints = ON")
                try db.run("INSERT INTO workers VALUES (?, 1, 'h', 's', 1, ?, 0, 0)", [.text("w"), .text("sleepy")])
                try db.exec("PRAGMA ignore_check_constraints = OFF")
            }
            let error = #expect(throws: StoreError.self) { try store.workers() }
            #expect(error?.message.contains("sleepy") == true)
        }
    }
}
