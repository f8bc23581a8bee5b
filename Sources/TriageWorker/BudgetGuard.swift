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
        var hold: ReservationHold
        var periodStart: Date
        /// The position of the caller key's own budget before this reservation, when it has one.
        var key: KeyBudgetStatus? = nil
    }

    /// The worker's leases on team budgets (`budgets.lease_attempts`; none when 0).
    var leases: Leases?
    /// Where answers that go out before their settlement commits are journaled (none: every
    /// settlement commits before its answer).
    var journal: SettlementJournal?
    /// Teams' positions as last read (`budgets.status_cache_ms`).
    var statusCache = BudgetStatusCache(maxAge: 0)

    /// The team's position before routing (as read at most `budgets.status_cache_ms` ago, see
    /// ``BudgetStatusCache``), or nil for a caller without a team.
    func status(of caller: Caller) throws(TriageError) -> BudgetStatus? {
        guard let teamID = caller.teamID else { return nil }
        let t = now()
        if let cached = statusCache.status(team: teamID, now: t, periodStart: { periodStart($0, at: t) }) { return cached }
        let found: (status: BudgetStatus, periodStart: Date)?
        do {
            found = try reads.budgetStatus(teamID: teamID, now: t) { periodStart($0, at: t) }
        } catch {
            throw .internalError("budget lookup failed: \(error)")
        }
        guard let found else {
            statusCache.forget(team: teamID)
            throw TriageError.unauthorized("The team of this API key no longer exists.")
        }
        statusCache.store(found.status, periodStart: found.periodStart, readAt: t)
        return found.status
    }

    /// Reserves `amount` for one attempt; throws `budgetExceeded` when it does not fit.
    ///
    /// The attempt draws on the worker's lease on the team's budget when it can (no store
    /// transaction); otherwise one transaction tops the lease up, or reserves the attempt alone.
    /// - Parameter known: the caller's team as read for this request by ``status(of:)`` (saves a
    ///   store read per attempt); read here when not given.
    func reserve(_ caller: Caller, team known: TeamRecord? = nil, requestID: String, amount: Money) async throws(TriageError) -> Reservation {
        let t = now()
        guard let teamID = caller.teamID else { return Reservation(hold: .none, periodStart: t) }
        do {
            guard let team = try known ?? reads.team(id: teamID) else { throw TriageError.unauthorized("The team of this API key no longer exists.") }
            let start = periodStart(team, at: t)
            let need = amount.nanoUSD
            // A key with a budget of its own reserves every attempt in a transaction that checks both
            // budgets (a lease is the team's, drawn on without one).
            if let keyBudget = caller.budgetKeyID {
                return try await single(team: team, keyBudget: keyBudget, requestID: requestID, need: need, periodStart: start, now: t)
            }
            // A team without a budget has nothing to reserve against: no transaction.
            guard let budget = team.budgetNano else { return Reservation(hold: .none, periodStart: start) }
            switch leases?.draw(team: teamID, amount: need, budgetNano: budget, now: t) ?? .single {
            case .leased(let row):
                return Reservation(hold: .lease(rowID: row.id, key: row.key, amountNano: need), periodStart: start)
            case .topUp(let key, let returns):
                return try await topUp(leases!, teamID: teamID, key: key, returns: returns, need: need, budget: budget, periodStart: start, now: t)
            case .single:
                return try await single(team: team, keyBudget: nil, requestID: requestID, need: need, periodStart: start, now: t)
            }
        } catch let e as TriageError {
            throw e
        } catch {
            throw .internalError("budget reservation failed: \(error)")
        }
    }

    /// Reserves one attempt in a transaction of its own, against the team's budget and the key's
    /// (`keyBudget`, the key whose budget applies) when it has one.
    private func single(team: TeamRecord, keyBudget: Int64?, requestID: String, need: Int64, periodStart start: Date,
                        now t: Date) async throws -> Reservation {
        let result = try await writer.reserve(teamID: team.id, requestID: requestID, amountNano: need, periodStart: start, now: t,
                                              ttl: config.reservationTTLSeconds, ownerPID: pid, ownerHost: host, budgetKeyID: keyBudget,
                                              inline: inlineWrites())
        switch result {
        case .reserved(let id, let status, let key):
            statusCache.store(status, periodStart: start, readAt: t)
            return Reservation(hold: .row(id), periodStart: start, key: key)
        case .unlimited: return Reservation(hold: .none, periodStart: start)
        case .refused(let status):
            statusCache.store(status, periodStart: start, readAt: t)
            throw refusal(status, needed: Money(nanoUSD: need), at: t)
        case .keyRefused(let key, let status):
            statusCache.store(status, periodStart: start, readAt: t)
            throw refusal(status, key: key, needed: Money(nanoUSD: need), at: t)
        }
    }

    /// Tops the team's lease up by up to `budgets.lease_attempts` worst cases and draws `need` from it.
    private func topUp(_ leases: Leases, teamID: Int64, key: String, returns: [LeaseBook.Return], need: Int64, budget: Int64, periodStart start: Date,
                       now t: Date) async throws -> Reservation {
        let attempts = leases.attempts
        let result: LeaseTopUp
        do {
            result = try await writer.topUpLease(teamID: teamID, key: key, needNano: need, returns: returns.map(Self.storeReturn), periodStart: start, now: t,
                                                 ttl: config.reservationTTLSeconds, ownerPID: pid, ownerHost: host, inline: inlineWrites()) {
                LeaseBook.grant(need: $0, attempts: attempts, headroom: $1)
            }
        } catch {
            leases.topUpEnded(team: teamID, returns: returns)
            throw error
        }
        switch result {
        case .granted(let rowID, let granted, let inserted, let status):
            statusCache.store(status, periodStart: start, readAt: t)
            // The budget as this transaction read it: a change since voids the lease at its next draw.
            leases.toppedUp(team: teamID, key: key, rowID: rowID, granted: granted, inserted: inserted, drawn: need,
                            budgetNano: status.team.budgetNano ?? budget, now: t)
            return Reservation(hold: .lease(rowID: rowID, key: key, amountNano: need), periodStart: start)
        case .unlimited:
            leases.topUpEnded(team: teamID)  // the transaction took the returns off
            return Reservation(hold: .none, periodStart: start)
        case .refused(let status):
            statusCache.store(status, periodStart: start, readAt: t)
            leases.topUpEnded(team: teamID)  // the transaction took the returns off
            throw refusal(status, needed: Money(nanoUSD: need), at: t)
        }
    }

    /// The refusal of a request the team's budget, or with `key` the key's own, has no room for.
    private func refusal(_ status: BudgetStatus, key: KeyBudgetStatus? = nil, needed: Money, at t: Date) -> TriageError {
        let p = period(status.team)
        let (limit, spent, reserved) = key.map { ($0.budgetNano, $0.spentNano, $0.reservedNano) }
            ?? (status.team.budgetNano ?? 0, status.spentNano, status.reservedNano)
        return TriageError.budgetExceeded(BudgetExceeded(
            team: status.team.name, key: key.map { "'\($0.name ?? $0.prefix)' (\($0.prefix))" }, limit: Money(nanoUSD: limit),
            spent: Money(nanoUSD: spent), reserved: Money(nanoUSD: reserved), needed: needed, period: p, resetsAt: p.end(containing: t)))
    }

    /// Writes the call's ledger row and takes its own reservation off, in one transaction; a draw
    /// on a lease is owed back to the lease once the ledger row is in.
    func settle(_ reservation: Reservation, _ entry: LedgerEntry) async throws(StoreError) {
        try await writer.settle(reservation.hold, entry, periodStart: reservation.periodStart, inline: inlineWrites())
        owedBack(reservation)
    }

    /// A settlement journaled before its answer went out, to commit after it (``settleLater(_:onError:)``).
    struct Journaled: Sendable {
        var reservation: Reservation
        var entry: LedgerEntry
        var ticket: SettlementJournal.Ticket
    }

    /// Journals the settlement of an answer about to be sent, so that the answer may go out before
    /// the settlement commits (see ``SettlementJournal``).
    ///
    /// Only an attempt drawn from a lease or under no budget: the team's position there is read
    /// from the worker's cache or lease, not from this commit. An attempt with a reservation of its
    /// own (a key's budget, or a team close to its budget) commits first, so that the client's next
    /// request sees exactly what this one cost.
    /// - Returns: nil when the settlement must commit before the answer.
    func journal(_ reservation: Reservation, _ entry: LedgerEntry) -> Journaled? {
        guard let journal else { return nil }
        if case .row = reservation.hold { return nil }
        return journal.append(Self.record(reservation, entry)).map { Journaled(reservation: reservation, entry: entry, ticket: $0) }
    }

    /// What the journal keeps of an attempt's settlement (or, as a `checkpoint`, of its cost so far).
    private static func record(_ reservation: Reservation, _ entry: LedgerEntry, checkpoint: Bool = false) -> SettlementRecord {
        SettlementRecord(hold: reservation.hold, entry: entry, periodStart: reservation.periodStart, checkpoint: checkpoint)
    }

    /// Journals what an attempt has cost so far (``SettlementRecord/checkpoint``): charged only
    /// if this worker dies before the attempt settles. The checkpoint it supersedes is let go once
    /// this one is written.
    /// - Returns: the ticket of the checkpoint now standing (`previous` when this one could not be
    ///   written), for ``dismiss(_:)`` once the attempt's settlement has committed.
    func checkpoint(_ reservation: Reservation, _ entry: LedgerEntry, replacing previous: SettlementJournal.Ticket?) -> SettlementJournal.Ticket? {
        guard let journal else { return nil }
        guard let ticket = journal.append(Self.record(reservation, entry, checkpoint: true)) else { return previous }
        if let previous { journal.committed(previous) }
        return ticket
    }

    /// Lets go of an attempt's last checkpoint: its settlement is in the store, or journaled.
    func dismiss(_ checkpoint: SettlementJournal.Ticket) {
        journal?.committed(checkpoint)
    }

    /// Commits a journaled settlement with the writer's next transaction, or within its
    /// `laterDelay` (settlements of many answers share one commit). One that fails stays in the
    /// journal, for a reclaim pass to write once this worker has gone.
    /// - Parameter onError: called (on the writer's thread) if it could not be written.
    func settleLater(_ journaled: Journaled, onError: @escaping @Sendable (StoreError) -> Void) {
        let reservation = journaled.reservation
        writer.settleLater(reservation.hold, journaled.entry, periodStart: reservation.periodStart) { [self] error in
            if let error { return onError(error) }
            journal?.committed(journaled.ticket)
            owedBack(reservation)
        }
    }

    /// Takes a reservation off without charging anything (a call that was not billed).
    func release(_ reservation: Reservation) async throws(StoreError) {
        switch reservation.hold {
        case .none: return
        case .row: try await writer.release(reservation.hold)
        case .lease: owedBack(reservation)
        }
    }

    private func owedBack(_ reservation: Reservation) {
        guard case .lease(let rowID, let key, let amount) = reservation.hold else { return }
        leases?.settled(LeaseBook.Row(id: rowID, key: key), amount: amount)
    }

    /// Gives back to the store what idle leases hold and no attempt drew (all of it when `all`,
    /// as the worker stops).
    /// - Returns: how many leases were returned.
    @discardableResult
    func returnLeases(all: Bool = false) async -> Int {
        guard let leases, case let returns = leases.returns(now: now(), all: all), !returns.isEmpty else { return 0 }
        do {
            try await writer.returnLeases(returns.map(Self.storeReturn))
        } catch {
            leases.stillOwed(returns)  // still owed: the next return or top-up takes them off
        }
        return returns.count
    }

    private static func storeReturn(_ r: LeaseBook.Return) -> LeaseReturn {
        LeaseReturn(rowID: r.row.id, key: r.row.key, amountNano: r.amountNano)
    }

    /// Queues a request log entry; the log's writer commits it with the others queued within 10 ms.
    func logRequest(_ entry: RequestLogEntry, logger: Logger) {
        requestLog.logRequestLater(entry) { error in
            logger.error("request log write failed", metadata: ["triage.request": "\(entry.id)", "error": "\(error)"])
        }
    }

    /// Reclaims what workers that are gone left: the settlements they journaled and never
    /// committed (written to the ledger), expired reservations and those of dead processes on this
    /// host, and the shadow comparisons they left running (closed as `unknown`, so they stop
    /// counting against the day's shadow budget).
    /// - Returns: how many reservations and comparisons were reclaimed, and settlements replayed.
    func reclaim() -> (reclaimed: Int, replayed: Int) {
        let isAlive: (Int32) -> Bool = { kill($0, 0) == 0 || errno == EPERM }
        let pass = try? store.reclaim(now: now(), host: host, isAlive: isAlive, journals: SettlementJournal.directory(forStore: store.path))
        let comparisons = (try? store.reclaimShadowComparisons(now: now(), host: host, isAlive: isAlive)) ?? 0
        return ((pass?.reservations ?? 0) + comparisons, pass?.replayed ?? 0)
    }

    /// The worker's ``LeaseBook`` behind a lock: draws happen on the request path, top-ups and
    /// returns after their store transactions.
    final class Leases: Sendable {
        private let book: Mutex<LeaseBook>
        let attempts: Int

        init(_ book: LeaseBook) {
            self.book = Mutex(book)
            self.attempts = book.attempts
        }

        func draw(team: Int64, amount: Int64, budgetNano: Int64, now: Date) -> LeaseBook.Draw {
            book.withLock { $0.draw(team: team, amount: amount, budgetNano: budgetNano, now: now) }
        }

        func toppedUp(team: Int64, key: String, rowID: Int64, granted: Int64, inserted: Bool, drawn: Int64, budgetNano: Int64, now: Date) {
            book.withLock { $0.toppedUp(team: team, key: key, rowID: rowID, granted: granted, inserted: inserted, drawn: drawn, budgetNano: budgetNano, now: now) }
        }

        /// A top-up of `team` ended without a grant; `returns` it took are owed again.
        func topUpEnded(team: Int64, returns: [LeaseBook.Return] = []) {
            book.withLock { $0.topUpEnded(team: team, returns: returns) }
        }

        func stillOwed(_ returns: [LeaseBook.Return]) {
            book.withLock { $0.stillOwed(returns) }
        }

        func settled(_ row: LeaseBook.Row, amount: Int64) {
            book.withLock { $0.settled(row, amount: amount) }
        }

        func returns(now: Date, all: Bool) -> [LeaseBook.Return] {
            book.withLock { $0.returns(now: now, all: all) }
        }
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
