import Foundation
import Logging
import Synchronization
import TriageCore
import TriageStore
import TriageWire

/// Enforces team budgets for one worker: reserve the worst case before each upstream attempt,
/// settle the actual cost after it, in the store every process shares.
///
/// Reservations and settlements go through the worker's ``StoreWriter`` (its own thread and
/// connection, writes of concurrent requests committed together), so they never block the
/// tasks serving requests; each reservation is still one atomic check-and-insert.
struct BudgetGuard: Sendable {
    let store: Store
    let writer: StoreWriter
    /// The request log's rows: a writer of the log's own file, so they never hold the main file's
    /// write lock that reservations and settlements take.
    let requestLog: StoreWriter
    let config: BudgetConfig
    let now: @Sendable () -> Date
    let pid: Int32
    let host: String
    /// The request path's reads (the team and its position): a connection no write uses, so a
    /// read never queues behind a write that waits for another process's lock.
    let reads: Store
    /// Whether a reservation or settlement may commit on the calling thread (see `StoreWriter`):
    /// the worker says yes while a request has no company, so a lone request pays no thread hop,
    /// and under load writes share the writer thread's transactions.
    var inlineWrites: @Sendable () -> Bool = { false }

    /// A reservation to settle after the attempt.
    struct Reservation: Sendable {
        var id: Int64?
        var periodStart: Date
    }

    /// The team's position before routing, or nil for a caller without a team.
    func status(of caller: Caller) throws(TriageError) -> BudgetStatus? {
        guard let teamID = caller.teamID else { return nil }
        let t = now()
        let found: (status: BudgetStatus, periodStart: Date)?
        do {
            found = try reads.budgetStatus(teamID: teamID, now: t) { periodStart($0, at: t) }
        } catch {
            throw .internalError("budget lookup failed: \(error)")
        }
        guard let found else { throw TriageError.unauthorized("The team of this API key no longer exists.") }
        return found.status
    }

    /// Whether the team has passed its soft limit.
    func isPastSoftLimit(_ status: BudgetStatus) -> Bool {
        guard let budget = status.team.budgetNano, let soft = status.team.softLimit else { return false }
        return Double(status.spentNano) >= soft * Double(budget)
    }

    /// Reserves `amount` for one attempt; throws `budgetExceeded` when it does not fit.
    /// - Parameter known: the caller's team as read for this request by ``status(of:)`` (saves a
    ///   store read per attempt); read here when not given.
    func reserve(_ caller: Caller, team known: TeamRecord? = nil, requestID: String, amount: Money) async throws(TriageError) -> Reservation {
        let t = now()
        guard let teamID = caller.teamID else { return Reservation(id: nil, periodStart: t) }
        let result: ReservationResult
        do {
            guard let team = try known ?? reads.team(id: teamID) else { throw TriageError.unauthorized("The team of this API key no longer exists.") }
            let start = periodStart(team, at: t)
            // A team without a budget has nothing to reserve against: no transaction.
            if team.budgetNano == nil { return Reservation(id: nil, periodStart: start) }
            result = try await writer.reserve(teamID: teamID, requestID: requestID, amountNano: amount.nanoUSD, periodStart: start, now: t,
                                              ttl: config.reservationTTLSeconds, ownerPID: pid, ownerHost: host, inline: inlineWrites())
            switch result {
            case .reserved(let id, _): return Reservation(id: id, periodStart: start)
            case .unlimited: return Reservation(id: nil, periodStart: start)
            case .refused(let status):
                let p = period(status.team)
                throw TriageError.budgetExceeded(BudgetExceeded(
                    team: status.team.name, limit: Money(nanoUSD: status.team.budgetNano ?? 0), spent: Money(nanoUSD: status.spentNano),
                    reserved: Money(nanoUSD: status.reservedNano), needed: amount, period: p, resetsAt: p.end(containing: t)))
            }
        } catch let e as TriageError {
            throw e
        } catch {
            throw .internalError("budget reservation failed: \(error)")
        }
    }

    /// Writes the call's ledger row and releases its reservation, in one transaction.
    func settle(_ reservation: Reservation, _ entry: LedgerEntry) async throws(StoreError) {
        try await writer.settle(reservationID: reservation.id, entry, periodStart: reservation.periodStart, inline: inlineWrites())
    }

    /// Releases a reservation without charging anything (a call that was not billed).
    func release(_ reservation: Reservation) async throws(StoreError) {
        guard let id = reservation.id else { return }
        try await writer.release(reservationID: id)
    }

    /// Queues a request log entry; the log's writer commits it with the others queued within 50 ms.
    func logRequest(_ entry: RequestLogEntry, logger: Logger) {
        requestLog.logRequestLater(entry) { error in
            logger.error("request log write failed", metadata: ["triage.request": "\(entry.id)", "error": "\(error)"])
        }
    }

    /// Reclaims expired reservations and those of dead processes on this host: team budget
    /// reservations, and the shadow comparisons they left running (closed as `unknown`, so they
    /// stop counting against the day's shadow budget).
    /// - Returns: how many were reclaimed.
    func reclaim() -> Int {
        let isAlive: (Int32) -> Bool = { kill($0, 0) == 0 || errno == EPERM }
        let reservations = (try? store.reclaimReservations(now: now(), host: host, isAlive: isAlive)) ?? 0
        let comparisons = (try? store.reclaimShadowComparisons(now: now(), host: host, isAlive: isAlive)) ?? 0
        return reservations + comparisons
    }

    private func period(_ team: TeamRecord) -> BudgetPeriod {
        BudgetPeriod(rawValue: team.period) ?? .monthly
    }

    /// The start of the team's current period, from ``periods`` while `t` is inside it.
    private func periodStart(_ team: TeamRecord, at t: Date) -> Date {
        periods.start(of: period(team), at: t)
    }

    /// Calendar arithmetic is slow in Foundation (microseconds a call); periods change rarely.
    let periods = PeriodCache()

    /// The current period of each kind, valid until its end.
    final class PeriodCache: Sendable {
        private let current = Mutex<[BudgetPeriod: (start: Date, end: Date)]>([:])

        func start(of period: BudgetPeriod, at t: Date) -> Date {
            if let hit = current.withLock({ $0[period] }), hit.start <= t, t < hit.end { return hit.start }
            let start = period.start(containing: t)
            let end = period.end(containing: t) ?? .distantFuture
            current.withLock { $0[period] = (start, end) }
            return start
        }
    }
}
