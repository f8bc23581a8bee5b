import Synchronization
import TriageCore
import TriageWire

/// Holds every team to its request rate limit (`rpm`) before a request reaches a worker. The
/// coordinator is the host's one front door, so the buckets live in its memory: a restart starts
/// every team with a full minute's allowance.
final class TeamRateLimiter: Sendable {
    private let buckets = Mutex(RequestRateBuckets())

    /// Takes one request from the caller's team.
    /// - Returns: The admission, or nil when the caller has no team or the team no limit.
    func admit(_ identity: Authenticator.Identity, now: ContinuousClock.Instant = .now) -> RequestRateBuckets.Admission? {
        guard let team = identity.caller.teamID, let limit = identity.requestsPerMinute else { return nil }
        return buckets.withLock { $0.admit(team: team, limit: limit, now: now) }
    }
}
