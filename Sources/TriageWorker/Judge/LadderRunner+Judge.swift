import TriageCore
import TriageStore
import TriageWire

extension LadderRunner {
    /// A budget that pays for this request's judge calls (see ``JudgeBudget``).
    /// - Parameter team: the caller's team as read for this request.
    func judgeBudget(_ request: WireRequest, team: TeamRecord?) -> JudgeBudget {
        JudgeBudget(budget: budget, caller: request.caller, endUser: request.endUser, team: team, requestID: request.id, logger: logger)
    }

    /// The judge quality check of an attempt on `tier`, when the tier has one.
    func qualityJudge(_ request: WireRequest, tier: TierConfig, team: TeamRecord?) -> QualityJudge? {
        guard let q = tier.qualityJudge, let judge else { return nil }
        return QualityJudge(client: judge, threshold: q.threshold, budget: judgeBudget(request, team: team), tier: tier.name)
    }

    /// Adds the judge quality check's cost (already charged to the team, outcome `judge`) to the
    /// request's, and notes its grade, or why there is none, for `x-triage-judge` when the answer
    /// is `kept` (not climbed from).
    func noteJudgeCheck(_ check: QualityJudge, kept: Bool, outcome: inout Outcome) {
        let r = check.result
        outcome.judgeNote = kept ? r.note : nil
        outcome.cost += r.cost
    }
}
