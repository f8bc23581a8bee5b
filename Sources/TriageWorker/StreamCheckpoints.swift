import Foundation
import Synchronization
import TriageCore
import TriageStore

/// A stream attempt's checkpoints (``SettlementRecord/checkpoint``): what it has cost so far, the
/// prompt and the text generated up to then, journaled as it goes. A worker killed mid-stream has
/// had that much billed by the provider; the next reclaim pass charges the last checkpoint (ledger
/// outcome `worker_lost`) unless the attempt settled. Once it has, ``dismiss()`` lets it go.
///
/// Used by the attempt's task only; `Sendable` (its state behind a lock) so that the attempt's
/// watchdog closure can carry it.
final class StreamCheckpoints: Sendable {
    /// A new checkpoint once this many more answer bytes have come (about 128 tokens) ...
    static let everyBytes = 512
    /// ... or this long after the last, whichever is first.
    static let everyInterval = Duration.seconds(1)

    private let budget: BudgetGuard
    private let reservation: BudgetGuard.Reservation
    private let entry: @Sendable (Usage) -> LedgerEntry
    private struct State {
        /// The attempt's time in its checkpoints, the same in each: how a reclaim pass tells them
        /// from the attempt's own settlement (written after it) and keeps only the last.
        var created: Date?
        var writtenBytes = 0
        var writtenAt: ContinuousClock.Instant?
        var ticket: SettlementJournal.Ticket?
    }
    private let state = Mutex(State())

    /// - Parameter entry: the ledger entry of the attempt for a usage (outcome `worker_lost`).
    init(budget: BudgetGuard, reservation: BudgetGuard.Reservation, entry: @escaping @Sendable (Usage) -> LedgerEntry) {
        self.budget = budget
        self.reservation = reservation
        self.entry = entry
    }

    /// Whether a checkpoint is due after `answerBytes` of text: the first once there is any (the
    /// attempt asks once text has gone to the client), then every ``everyBytes`` or ``everyInterval``.
    func isDue(answerBytes: Int) -> Bool {
        guard answerBytes > 0 else { return false }
        return state.withLock { s in
            guard let writtenAt = s.writtenAt else { return true }
            return answerBytes - s.writtenBytes >= Self.everyBytes || writtenAt.duration(to: .now) >= Self.everyInterval
        }
    }

    /// Journals `usage` (the prompt and `answerBytes` of text, estimated) as the attempt's cost so far.
    func write(_ usage: Usage, answerBytes: Int) {
        var e = entry(usage)
        state.withLock { s in
            let created = s.created ?? budget.now()
            s.created = created
            e.createdAt = created
            s.ticket = budget.checkpoint(reservation, e, replacing: s.ticket)
            s.writtenBytes = answerBytes
            s.writtenAt = .now
        }
    }

    /// The attempt's settlement has committed: its checkpoint is no longer needed.
    func dismiss() {
        if let ticket = state.withLock({ s in defer { s.ticket = nil }; return s.ticket }) { budget.dismiss(ticket) }
    }
}
