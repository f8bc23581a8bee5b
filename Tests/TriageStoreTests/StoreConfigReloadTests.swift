import Foundation
import Testing
@testable import TriageStore

/// Config reload requests: numbered, recorded in the audit trail, and carried from asked to done.
@Suite struct StoreConfigReloadTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aRequestGoesFromAskedToTakenUpToDoneWithItsDetail() throws {
        try withStore { store, _ throws in
            #expect(try store.latestConfigReload() == nil)
            let first = try store.requestConfigReload(by: "cli alice@h", now: t0)
            let second = try store.requestConfigReload(by: "SIGHUP to pid 7", now: t0 + 1)
            #expect(second == first + 1)
            #expect(try store.latestConfigReload() == ConfigReload(generation: second, requestedAt: t0 + 1, requestedBy: "SIGHUP to pid 7"))

            try store.noteConfigReload(generation: second, detail: "restarting worker w1 (1 of 2)", now: t0 + 2)
            try store.noteConfigReload(generation: second, detail: "restarting worker w2 (2 of 2)", now: t0 + 3)
            var r = try #require(try store.configReload(generation: second))
            #expect(r.startedAt == t0 + 2 && r.outcome == nil && r.detail == "restarting worker w2 (2 of 2)",
                    "the first note marks when it was taken up; later ones only say how far it is")

            try store.finishConfigReload(generation: second, outcome: .applied, detail: "changed: tiers; workers restarted: w1, w2", now: t0 + 4)
            r = try #require(try store.configReload(generation: second))
            #expect(r.outcome == .applied && r.finishedAt == t0 + 4 && r.startedAt == t0 + 2)
            let older = try #require(try store.configReload(generation: first))
            #expect(older.outcome == .applied && older.detail == "with reload \(second): changed: tiers; workers restarted: w1, w2",
                    "a request that came while another ran ends with the one that applied the file after it")

            let trail = try store.auditEvents()
            #expect(trail.map(\.action) == [.configReload, .configReload])
            #expect(trail.map(\.actor) == ["SIGHUP to pid 7", "cli alice@h"])
            #expect(trail.map(\.detail) == ["reload \(second) requested", "reload \(first) requested"])
        }
    }
}
