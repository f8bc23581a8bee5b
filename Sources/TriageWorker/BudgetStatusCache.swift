import Foundation
import Synchronization
import TriageStore

/// Each team's budget position as this worker last read it, reused for `budgets.status_cache_ms`
/// so that a request takes no read transaction of its own (with a lease, most requests then take
/// one store transaction in all: their settlement).
///
/// What a cached position decides is never what keeps a budget hard: reservations and lease
/// top-ups check the team's budget in their own transactions (and the positions they read are
/// kept here too). The position gives the soft-limit cap, the `x-triage-budget-remaining-usd`
/// header and the budget a lease was taken under, so a budget the operator changes, and the
/// spend of every worker, reach this worker within the cache's age. A position read in an
/// earlier budget period is never reused.
final class BudgetStatusCache: Sendable {
    private struct Entry {
        var status: BudgetStatus
        var periodStart: Date
        var readAt: Date
    }

    /// How long a position is reused; 0 reads the store for every request.
    let maxAge: TimeInterval
    private let entries = Mutex<[Int64: Entry]>([:])

    init(maxAge: TimeInterval) {
        self.maxAge = maxAge
    }

    /// The team's position if it was read less than ``maxAge`` before `now`, in the period that
    /// `periodStart` gives for `now`.
    func status(team: Int64, now: Date, periodStart: (TeamRecord) -> Date) -> BudgetStatus? {
        guard maxAge > 0, let hit = entries.withLock({ $0[team] }) else { return nil }
        let age = now.timeIntervalSince(hit.readAt)
        guard age >= 0, age < maxAge, periodStart(hit.status.team) == hit.periodStart else { return nil }
        return hit.status
    }

    /// Keeps a position just read from the store (by a read, a reservation or a top-up) in the
    /// period starting at `periodStart`; one read earlier than the position kept is ignored.
    func store(_ status: BudgetStatus, periodStart: Date, readAt: Date) {
        guard maxAge > 0 else { return }
        entries.withLock { e in
            if let kept = e[status.team.id], kept.readAt > readAt { return }
            e[status.team.id] = Entry(status: status, periodStart: periodStart, readAt: readAt)
        }
    }

    /// Forgets a team's position (the team is gone), so the next request reads the store.
    func forget(team: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: team) }
    }
}
