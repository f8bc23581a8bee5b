import Foundation
import Synchronization
import TriageCore
import TriageStore

/// An attempt's checkpoints (``SettlementRecord/checkpoint``): what it has cost so far, journaled
/// so that a worker killed during the upstream call still charges what the provider billed. A judge
/// call is checkpointed the same way (``JudgeBudget``). The next
/// reclaim pass charges the attempt's last checkpoint (ledger outcome `worker_lost`, usage estimated)
/// unless the attempt settled; once it has, ``dismiss()`` lets it go.
///
/// - Every attempt writes one before its call: the prompt alone. The provider bills the prompt of a
///   call it received; what it went on to generate for a worker that was gone by then is unknown
///   (a whole answer's tokens are only told with it), so that is what a cut non-stream call is charged.
/// - A stream attempt writes again once text has gone to the client (one held whole for its quality
///   check, once it has text), then as more comes: the prompt and the text generated up to then.
/// - An answer about to be graded by the judge quality check is written whole (its usage as reported).
///
/// Used by the attempt's task only; `Sendable` (its state behind a lock) so that the attempt's
/// watchdog closure can carry it.
final class AttemptCheckpoints: Sendable {
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

    /// Whether a checkpoint is due after `answerBytes` of text: the first with text once there is
    /// any (the attempt asks once text has gone to the client), then every ``everyBytes`` or
    /// ``everyInterval``.
    func isDue(answerBytes: Int) -> Bool {
        guard answerBytes > 0 else { return false }
        return state.withLock { s in
            guard let writtenAt = s.writtenAt, s.writtenBytes > 0 else { return true }
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

    /// The attempt's settlement `entry`, dated no earlier than its checkpoints, however the wall clock
    /// moved meanwhile: a reclaim pass tells a settled attempt by a row of it at or after its
    /// checkpoints' time, and would otherwise charge a checkpoint beside the settlement.
    func dated(_ entry: LedgerEntry) -> LedgerEntry {
        guard let created = state.withLock({ $0.created }), entry.createdAt < created else { return entry }
        var e = entry
        e.createdAt = created
        return e
    }

    /// The attempt ended with nothing to charge and no settlement (a judge call that got no answer):
    /// a checkpoint of nothing withdraws the standing one (a reclaim pass may still read that one's
    /// line in the journal), then both are let go.
    func withdraw() {
        guard state.withLock({ $0.ticket != nil }) else { return }
        write(Usage(promptTokens: 0, completionTokens: 0, estimated: true), answerBytes: 0)
        dismiss()
    }

    /// The attempt's settlement has committed, or is journaled: its checkpoint is no longer needed.
    func dismiss() {
        if let ticket = state.withLock({ s in defer { s.ticket = nil }; return s.ticket }) { budget.dismiss(ticket) }
    }
}
