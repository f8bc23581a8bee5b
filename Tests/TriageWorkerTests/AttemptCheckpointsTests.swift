import Foundation
import Testing
import TriageCore
import TriageStore
import TriageWire
@testable import TriageWorker

@Suite struct AttemptCheckpointsTests {
    /// A worker's wall clock stepped back during an attempt (an NTP correction): its settlement is
    /// still dated at or after its checkpoint, so when the worker later dies with that checkpoint's
    /// line in its journal, the reclaim pass sees the attempt settled and charges it once; the
    /// attempt still in progress is charged its checkpoint.
    @Test func aSettlementDatedBeforeItsCheckpointByAClockStepIsStillChargedOnce() async throws {
        let fixture = try GuardFixture("checkpoints")
        defer { fixture.close() }
        let team = try fixture.team()
        let (guardian, journal) = try fixture.journaledGuardian()
        let caller = Caller(teamID: team.id, team: team.name)
        let budget = guardian
        let teamID = team.id
        @Sendable func entry(_ request: String, tokens: Int, cost: Int64, outcome: String) -> LedgerEntry {
            LedgerEntry(teamID: teamID, requestID: request, createdAt: budget.now(), tier: "simple", model: "gpt-4o-mini", promptTokens: 300,
                        completionTokens: tokens, usageEstimated: outcome == "worker_lost", costNano: cost, outcome: outcome)
        }

        // r1: its prompt checkpointed, then the clock steps back 5 s before its answer settles.
        let r1 = try await guardian.reserve(caller, requestID: "r1", amount: Money(nanoUSD: 100_000))
        let c1 = AttemptCheckpoints(budget: guardian, reservation: r1) { _ in entry("r1", tokens: 0, cost: 45, outcome: "worker_lost") }
        c1.write(Usage(promptTokens: 300, completionTokens: 0, estimated: true), answerBytes: 0)
        fixture.advance(-5)
        let settlement = c1.dated(entry("r1", tokens: 40, cost: 69, outcome: "ok"))
        try await guardian.settle(r1, settlement)
        c1.dismiss()
        // r2: in progress (its checkpoint standing) when the worker dies.
        let r2 = try await guardian.reserve(caller, requestID: "r2", amount: Money(nanoUSD: 100_000))
        let c2 = AttemptCheckpoints(budget: guardian, reservation: r2) { _ in entry("r2", tokens: 0, cost: 45, outcome: "worker_lost") }
        c2.write(Usage(promptTokens: 300, completionTokens: 0, estimated: true), answerBytes: 0)
        #expect(journal.pending == 1)

        // The worker dies: its segment (both checkpoints' lines) is left to a reclaim pass.
        let (pass, segments) = try fixture.reclaimAsIfDead()
        #expect(segments == 1)
        #expect(pass.replayed == 1, "r2's checkpoint; r1 settled")
        let rows = try fixture.store.read { db in
            try db.query("SELECT request_id, outcome, cost_nano FROM ledger ORDER BY id") { ($0.text(0), $0.text(1), $0.int64(2)) }
        }
        #expect(rows.map(\.0) == ["r1", "r2"] && rows.map(\.1) == ["ok", "worker_lost"] && rows.map(\.2) == [69, 45], "\(rows)")
        c2.dismiss()
        journal.close()
    }
}
