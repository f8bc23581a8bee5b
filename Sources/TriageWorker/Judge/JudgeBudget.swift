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

    /// Reserves a judge call's worst case.
    /// - Returns: the reservation to settle or release, nil when the team cannot afford the call
    ///   (or its budget could not be read: no call is made then either).
    func reserve(_ worstCase: Money) async -> BudgetGuard.Reservation? {
        do throws(TriageError) {
            return try await budget.reserve(caller, team: team, requestID: requestID, amount: worstCase)
        } catch {
            if case .budgetExceeded = error {
                logger.debug("judge call skipped: \(Self.refusal)", metadata: ["triage.request": "\(requestID)", "triage.cost_usd": "\(worstCase)"])
            } else {
                logger.warning("judge call skipped: no budget reservation", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// Writes a judge call's ledger row (outcome `routing_judge` or `judge`) and drops its
    /// reservation, in one transaction.
    func settle(_ reservation: BudgetGuard.Reservation, _ reply: JudgeReply, model: String, tier: String, outcome: String) async {
        let entry = LedgerEntry(teamID: caller.teamID, requestID: requestID, createdAt: budget.now(), tier: tier, model: model,
                                promptTokens: reply.usage.promptTokens, completionTokens: reply.usage.completionTokens,
                                usageEstimated: reply.usage.estimated, costNano: reply.cost.nanoUSD, outcome: outcome,
                                keyID: caller.keyID, endUser: endUser, budgetKeyID: caller.budgetKeyID)
        do {
            try await budget.settle(reservation, entry)
        } catch {
            logger.error("ledger write failed", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
    }

    /// Ends the reservation of a judge call that failed: charged when the provider answered all
    /// the same (``JudgeError/billed``: no text, or no rating in it), released when there was no
    /// answer (timeout, HTTP error, reset).
    /// - Returns: The billed reply when the call was charged.
    @discardableResult
    func close(_ reservation: BudgetGuard.Reservation, failure: JudgeError, model: String, tier: String, outcome: String) async -> JudgeReply? {
        guard let billed = failure.billed else {
            await release(reservation)
            return nil
        }
        await settle(reservation, billed, model: model, tier: tier, outcome: outcome)
        return billed
    }

    /// Drops the reservation of a judge call that gave no answer (nothing is charged for it).
    func release(_ reservation: BudgetGuard.Reservation) async {
        do {
            try await budget.release(reservation)
        } catch {
            // It lapses at its expiry anyway.
            logger.warning("judge reservation not released", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
    }
}
