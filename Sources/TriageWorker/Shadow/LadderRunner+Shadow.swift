import Foundation
import Logging
import TriageCore
import TriageStore
import TriageWire

extension LadderRunner {
    /// Hands an answered request to the shadow runner (it returns at once; the comparison, if
    /// sampled, runs after the client has its answer, on a task of its own).
    func offerShadow(request: WireRequest, chat: ChatRequest, outcome: Outcome) {
        guard let shadow else { return }
        shadow.offer(status: outcome.status, outcome.answer.flatMap { answer in
            outcome.tierIndex.map { i in
                ShadowRunner.Answered(request: request, chat: chat, tierIndex: i, answer: answer,
                                      answerTokens: outcome.usage?.completionTokens ?? (answer.utf8.count + 3) / 4,
                                      score: outcome.decision?.score)
            }
        }, tierIndex: outcome.tierIndex)
    }

    /// Charges the judge classifier's rating call to the request that made it (the team's ledger,
    /// outcome `routing_judge`; the cost is part of the request's `x-triage-cost-usd`).
    func chargeRoutingJudge(_ call: JudgeReply, request: WireRequest, outcome: inout Outcome) async {
        guard let judge = config.judge else { return }
        outcome.cost += call.cost
        let entry = LedgerEntry(teamID: request.caller.teamID, requestID: request.id, createdAt: budget.now(), tier: "judge",
                                model: judge.model, promptTokens: call.usage.promptTokens, completionTokens: call.usage.completionTokens,
                                usageEstimated: call.usage.estimated, costNano: call.cost.nanoUSD, outcome: "routing_judge")
        do {
            try await budget.charge(request.caller, team: outcome.budget?.team, entry)
        } catch {
            logger.error("ledger write failed", metadata: ["triage.request": "\(request.id)", "error": "\(error)"])
        }
    }

    /// The judge quality check's charge for one attempt: adds its cost to the request and returns
    /// its ledger row (the team's, outcome `judge`; settled with the attempt's row), nil when no
    /// call was made. Notes its grade for `x-triage-judge` when the answer is `kept` (not climbed from).
    func judgeCharge(_ check: QualityJudge, request: WireRequest, tier: TierConfig, kept: Bool, outcome: inout Outcome) -> LedgerEntry? {
        let r = check.result
        outcome.judgeNote = kept ? r.note : nil
        guard let usage = r.usage else { return nil }
        outcome.cost += r.cost
        return LedgerEntry(teamID: request.caller.teamID, requestID: request.id, createdAt: budget.now(), tier: tier.name,
                           model: check.client.config.model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                           usageEstimated: usage.estimated, costNano: r.cost.nanoUSD, outcome: "judge")
    }
}
