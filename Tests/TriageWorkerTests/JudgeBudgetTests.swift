import Foundation
import Logging
import Testing
import TriageCore
import TriageStore
import TriageWire
@testable import TriageWorker

@Suite struct JudgeBudgetTests {
    /// A judge call journals its prompt before it is made: when its worker dies during the call,
    /// the reclaim pass charges the team that prompt (`worker_lost`, estimated, at the judge's
    /// prices); a call that settled is charged its reply once, and one released (no answer) nothing.
    @Test func aJudgeCallCutByItsWorkersDeathIsChargedItsPromptAndNoOtherTwice() async throws {
        let fixture = try GuardFixture("judge-budget")
        defer { fixture.close() }
        let team = try fixture.team()
        let (guardian, journal) = try fixture.journaledGuardian()
        let price = Price(inputPerMTok: 1.0, outputPerMTok: 2.0)
        let cost = JudgeCallCost(worstCase: Money(nanoUSD: 100_000), prompt: Usage(promptTokens: 120, completionTokens: 0, estimated: true),
                                 price: price, model: "judge-mini")
        func judgeBudget(_ request: String) -> JudgeBudget {
            JudgeBudget(budget: guardian, caller: Caller(teamID: team.id, team: team.name), endUser: nil, team: team,
                        requestID: request, logger: Logger(label: "test"))
        }

        // r1 is answered and settled; r2 gets no answer and is released; r3 is upstream when the worker dies.
        let r1 = try #require(await judgeBudget("r1").reserve(cost, tier: "judge"))
        let reply = JudgeReply(text: "7", usage: Usage(promptTokens: 130, completionTokens: 2), cost: Money(nanoUSD: 134), latency: .milliseconds(5))
        await judgeBudget("r1").settle(r1, reply, outcome: "routing_judge")
        let r2 = try #require(await judgeBudget("r2").reserve(cost, tier: "judge"))
        await judgeBudget("r2").release(r2)
        let r3 = try #require(await judgeBudget("r3").reserve(cost, tier: "simple"))
        #expect(journal.pending == 1, "only r3's checkpoint stands")

        // The worker dies with its journal as it is.
        let (pass, _) = try fixture.reclaimAsIfDead()
        #expect(pass.replayed == 1, "r3's prompt; r1 settled, r2 released")
        let rows = try fixture.store.read { db in
            try db.query("SELECT request_id, tier, model, outcome, prompt_tokens, completion_tokens, usage_estimated, cost_nano FROM ledger ORDER BY id") {
                "\($0.text(0)) \($0.text(1)) \($0.text(2)) \($0.text(3)) \($0.int64(4))+\($0.int64(5))\($0.int64(6) == 1 ? " estimated" : "") \($0.int64(7))"
            }
        }
        let promptCost = price.cost(promptTokens: 120, completionTokens: 0).nanoUSD
        #expect(promptCost > 0)
        #expect(rows == ["r1 judge judge-mini routing_judge 130+2 134", "r3 simple judge-mini worker_lost 120+0 estimated \(promptCost)"], "\(rows)")
        await judgeBudget("r3").release(r3)
        journal.close()
    }
}
