import Logging
import TriageCore
import TriageStore
import TriageWire

/// Pays for the judge calls a request makes (the routing judge's rating, the judge quality
/// check's grade) from the caller's team budget, as an attempt is paid for: the call's worst case
/// (its prompt and `max_tokens` at the judge's prices) is reserved before the call, and after it
/// the call's ledger row is written and the reservation dropped in one transaction. A team that
/// cannot afford the worst case gets no judge call, so concurrent requests of a team near its
/// hard limit cannot each overspend it by a judge call.
///
/// Like an attempt, a judge call journals its prompt as a checkpoint (``AttemptCheckpoints``)
/// before it is made: a worker killed during the call still charges the team what the provider
/// billed for it (ledger outcome `worker_lost`, at the next reclaim pass).
struct JudgeBudget: Sendable {
    let budget: BudgetGuard
    let caller: Caller
    /// The request's end user (its `user` field), for the ledger.
    let endUser: String?
    /// The caller's team as read for this request (saves a store read per reservation).
    let team: TeamRecord?
    let requestID: String
    let logger: Logger

    /// Why a judge call was not made for want of budget (in `x-triage-reason`, `x-triage-judge`).
    static let refusal = "the team's budget cannot cover the judge call"

    /// A judge call paid for: its reservation, and its checkpoint standing until the call ends.
    struct Hold: Sendable {
        let reservation: BudgetGuard.Reservation
        let checkpoints: AttemptCheckpoints
        /// The judge model, and the ladder tier its ledger rows name (`judge` for a routing rating).
        let model: String, tier: String
    }

    /// Reserves a judge call's worst case and journals its prompt as the call's checkpoint.
    /// - Parameter tier: the tier its ledger rows name.
    /// - Returns: the hold to settle, close or release; nil when the team cannot afford the call
    ///   (or its budget could not be read: no call is made then either).
    func reserve(_ cost: JudgeCallCost, tier: String) async -> Hold? {
        let reservation: BudgetGuard.Reservation
        do throws(TriageError) {
            reservation = try await budget.reserve(caller, team: team, requestID: requestID, amount: cost.worstCase)
        } catch {
            if case .budgetExceeded = error {
                logger.debug("judge call skipped: \(Self.refusal)", metadata: ["triage.request": "\(requestID)", "triage.cost_usd": "\(cost.worstCase)"])
            } else {
                logger.warning("judge call skipped: no budget reservation", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
            }
            return nil
        }
        let (model, price) = (cost.model, cost.price)
        let checkpoints = AttemptCheckpoints(budget: budget, reservation: reservation) { [self] usage in
            entry(usage, cost: price.cost(usage), model: model, tier: tier, outcome: "worker_lost")
        }
        checkpoints.write(cost.prompt, answerBytes: 0)
        return Hold(reservation: reservation, checkpoints: checkpoints, model: model, tier: tier)
    }

    /// Writes a judge call's ledger row (outcome `routing_judge` or `judge`) and drops its
    /// reservation, in one transaction; then lets its checkpoint go.
    func settle(_ hold: Hold, _ reply: JudgeReply, outcome: String) async {
        let row = hold.checkpoints.dated(entry(reply.usage, cost: reply.cost, model: hold.model, tier: hold.tier, outcome: outcome))
        do {
            try await budget.settle(hold.reservation, row)
            hold.checkpoints.dismiss()
        } catch {
            // The checkpoint stands: if this worker dies, a reclaim pass charges the prompt at least.
            logger.error("ledger write failed", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
    }

    /// Ends the hold of a judge call that failed: charged when the provider answered all the
    /// same (``JudgeError/billed``: no text, or no rating in it), released when there was no
    /// answer (timeout, HTTP error, reset).
    /// - Returns: The billed reply when the call was charged.
    @discardableResult
    func close(_ hold: Hold, failure: JudgeError, outcome: String) async -> JudgeReply? {
        guard let billed = failure.billed else {
            await release(hold)
            return nil
        }
        await settle(hold, billed, outcome: outcome)
        return billed
    }

    /// Drops the hold of a judge call that gave no answer, or was not made (nothing is charged).
    func release(_ hold: Hold) async {
        hold.checkpoints.withdraw()
        do {
            try await budget.release(hold.reservation)
        } catch {
            // It lapses at its expiry anyway.
            logger.warning("judge reservation not released", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
    }

    /// A ledger row of one of this request's judge calls.
    private func entry(_ usage: Usage, cost: Money, model: String, tier: String, outcome: String) -> LedgerEntry {
        LedgerEntry(teamID: caller.teamID, requestID: requestID, createdAt: budget.now(), tier: tier, model: model,
                    promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                    usageEstimated: usage.estimated, costNano: cost.nanoUSD, outcome: outcome,
                    keyID: caller.keyID, endUser: endUser, budgetKeyID: caller.budgetKeyID,
                    cachedTokens: usage.cachedTokens, cacheWriteTokens: usage.cacheWriteTokens)
    }
}
