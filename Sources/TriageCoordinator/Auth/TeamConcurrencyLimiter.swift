import Synchronization
import TriageCore
import TriageWire

/// Holds every team to its limit on requests in flight (`max_concurrent`), so one team's burst of
/// long streams cannot take every worker's capacity from the others. A request takes a ``Slot``
/// when admitted; the slot gives its place back when the request ends, or, whatever path the
/// request took (a client gone before its stream began, say), when the slot is dropped.
final class TeamConcurrencyLimiter: Sendable {
    /// One request's place among its team's requests in flight, given back once.
    final class Slot: Sendable {
        private let team: Int64
        private let limiter: TeamConcurrencyLimiter
        private let released = Atomic<Bool>(false)

        fileprivate init(team: Int64, limiter: TeamConcurrencyLimiter) {
            self.team = team
            self.limiter = limiter
        }

        /// Gives the place back (at most once; dropping the slot does it too).
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            limiter.counts.withLock { $0.release(team: team) }
        }

        deinit { release() }
    }

    fileprivate let counts = Mutex(InFlightCounts())

    /// Takes a place for the caller's request.
    /// - Returns: the slot to hold while the request runs, or nil when the team has no limit.
    /// - Throws: `TriageError.concurrencyLimited` when the team already has its limit in flight.
    func admit(_ identity: Authenticator.Identity) throws(TriageError) -> Slot? {
        guard let team = identity.caller.teamID, let limit = identity.maxConcurrent else { return nil }
        guard counts.withLock({ $0.take(team: team, limit: limit) }) else {
            throw .concurrencyLimited(ConcurrencyLimitExceeded(team: identity.caller.team ?? "", limit: limit))
        }
        return Slot(team: team, limiter: self)
    }

    /// The caller's team's requests in flight now.
    func inFlight(team: Int64) -> Int { counts.withLock { $0.count(team: team) } }
}
