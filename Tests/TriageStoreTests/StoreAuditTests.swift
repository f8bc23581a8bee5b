import Foundation
import Testing
@testable import TriageStore

/// The audit trail: every administrative change made with an actor is recorded with what it
/// changed, in the change's own transaction; reading filters by target and time.
@Suite struct StoreAuditTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func teamAndKeyChangesAreRecordedWithWhoAndWhatChanged() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "research", budgetNano: 50_000_000_000, period: "monthly", softLimit: 0.8,
                                            requestsPerMinute: 600, by: "cli alice@h", now: t0)
            _ = try store.updateTeam(name: "research", budgetNano: .some(80_250_000_000), requestsPerMinute: .some(nil),
                                     tokensPerMinute: .some(200_000), maxConcurrent: .some(8), by: "admin-api 10.0.0.5", now: t0 + 1)
            _ = try store.updateTeam(name: "research", softLimit: .some(0.8), by: "cli alice@h", now: t0 + 2)  // the same value: nothing changed
            let key = try store.createKey(teamID: team.id, name: "nb", prefix: "abcd1234", hash: [1], by: "cli alice@h", now: t0 + 3)
            #expect(try store.revokeKey("abcd1234", by: "cli bob@h", now: t0 + 4))
            #expect(try !store.revokeKey("abcd1234", by: "cli bob@h", now: t0 + 5), "already revoked: no change, no entry")
            #expect(try store.setRoutingPolicy(team: "research", TeamRoutingPolicy(dial: 0.3, dialMin: 0.1, dialMax: 0.6, maxTier: "medium"),
                                               by: "cli alice@h", now: t0 + 6))
            #expect(try store.deleteTeam(name: "research", by: "cli carol@h", now: t0 + 7))

            let trail = try store.auditEvents()
            #expect(trail.map(\.action) == [.teamDelete, .teamPolicy, .keyRevoke, .keyCreate, .teamUpdate, .teamCreate], "newest first")
            #expect(trail.allSatisfy { $0.target == "research" })
            #expect(trail.map(\.actor) == ["cli carol@h", "cli alice@h", "cli bob@h", "cli alice@h", "admin-api 10.0.0.5", "cli alice@h"])
            #expect(trail.map(\.detail) == [
                "0 active keys deleted with it; its ledger rows stay",
                "dial 0.3, dial range 0.1-0.6, max tier medium",
                "key abcd1234 (id \(key))",
                "key abcd1234 (id \(key), 'nb'), never expires",
                "budget $50 → $80.25, rpm 600 → none, tpm none → 200000, max concurrent none → 8",
                "budget $50 monthly, soft limit 0.8, rpm 600, tpm none, max concurrent none",
            ])
            #expect(trail.last?.at == t0)
        }
    }

    @Test func changesWithoutAnActorOrThatDidNotHappenAreNotRecorded() throws {
        try withStore { store, _ throws in
            let team = try store.createTeam(name: "quiet", budgetNano: nil, period: "monthly", softLimit: nil)
            _ = try store.updateTeam(name: "quiet", budgetNano: .some(5))
            _ = try store.createKey(teamID: team.id, name: nil, prefix: "00000000", hash: [2])
            #expect(try store.updateTeam(name: "nobody", budgetNano: .some(5), by: "cli a@h") == nil)
            #expect(try !store.deleteTeam(name: "nobody", by: "cli a@h"))
            #expect(try !store.setRoutingPolicy(team: "nobody", TeamRoutingPolicy(dial: 0.2), by: "cli a@h"))
            #expect(throws: StoreError.self) {
                try store.createTeam(name: "quiet", budgetNano: nil, period: "monthly", softLimit: nil, by: "cli a@h")
            }
            #expect(try store.auditEvents().isEmpty)
        }
    }

    @Test func classifierVersionsSayWhatTheyReplaced() throws {
        try withStore { store, _ throws in
            let v1 = try store.installClassifier(name: "first", model: [1], by: "cli a@h", now: t0)
            let v2 = try store.installClassifier(name: "second", model: [2], activate: false, by: "coordinator (scheduled retrain)", now: t0 + 1)
            #expect(try store.activateClassifier(version: v2, by: "cli b@h", now: t0 + 2))
            #expect(try !store.activateClassifier(version: 99, by: "cli b@h"))
            let trail = try store.auditEvents()
            #expect(trail.map(\.target) == ["classifier v\(v2)", "classifier v\(v2)", "classifier v\(v1)"])
            #expect(trail.map(\.detail) == ["replacing v\(v1)", "'second', installed inactive", "'first', active, replacing none"])
            #expect(trail.map(\.actor) == ["cli b@h", "coordinator (scheduled retrain)", "cli a@h"])
        }
    }

    @Test func theTrailIsReadByTargetTimeAndLimit() throws {
        try withStore { store, _ throws in
            for (i, name) in ["a", "b", "a", "c", "a"].enumerated() {
                try store.recordAudit(actor: "cli x@h", action: .teamUpdate, target: name, detail: "change \(i)", now: t0 + Double(i) * 60)
            }
            #expect(try store.auditEvents(target: "a").map(\.detail) == ["change 4", "change 2", "change 0"])
            #expect(try store.auditEvents(since: t0 + 120).map(\.detail) == ["change 4", "change 3", "change 2"])
            #expect(try store.auditEvents(since: t0 + 60, target: "a", limit: 1).map(\.detail) == ["change 4"])
            #expect(try store.auditEvents(limit: 0).isEmpty)
        }
    }

    @Test func amountsAreWrittenAsPeopleReadThem() {
        #expect(AuditText.usd(nil) == "unlimited")
        #expect(AuditText.usd(0) == "$0")
        #expect(AuditText.usd(50_000_000_000) == "$50")
        #expect(AuditText.usd(2_500_000_000) == "$2.5")
        #expect(AuditText.usd(1) == "$0.000000001")
    }
}
