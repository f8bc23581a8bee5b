/// Per-team rate limits of so many units a minute: requests (a team's `rpm`) or tokens (its
/// `tpm`). One token bucket per team holds at most `limit` units and refills at `limit` per
/// minute, so a team may burst its whole minute's allowance after a quiet spell and then keeps to
/// the rate. A request takes its cost when admitted; ``settle(team:limit:reserved:used:now:)``
/// corrects that to what it really used once known (tokens), which may leave the bucket in debt
/// until the refill pays it off. Pure: the caller passes the time.
public struct RateBuckets: Sendable {
    /// What a limit counts, which names its headers (`x-ratelimit-limit-requests`, `-tokens`) and
    /// the `type` of its 429.
    public enum Unit: String, Sendable, Equatable {
        case requests, tokens
    }

    /// What ``admit(team:limit:cost:now:)`` decided, with what the rate-limit headers say.
    public struct Admission: Sendable, Equatable {
        /// Whether the request may go on.
        public var admitted: Bool
        /// The team's limit, units per minute.
        public var limit: Int
        /// Whole units the team may still use at once (after this request, when admitted); zero
        /// while the bucket is in debt.
        public var remaining: Int
        /// How long until a request of the same cost would be admitted: zero when one would be now.
        public var retryAfter: Duration
        /// How long until the bucket is full again.
        public var resetAfter: Duration
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
        /// The limit the bucket was last filled for.
        var capacity: Double
    }

    private var buckets: [Int64: Bucket] = [:]
    private var admissionsSincePrune = 0

    public init() {}

    /// The number of teams the limiter remembers (pruned every 4,096 admissions).
    public var trackedTeams: Int { buckets.count }

    /// Takes `cost` units from `team`'s bucket if it holds them.
    /// - Parameters:
    ///   - team: The team's id.
    ///   - limit: Its limit in units per minute (at least 1). A changed limit takes effect at
    ///     once: what the team used of the old one counts against the new one (a raise frees the
    ///     difference, a cut below what was used leaves nothing until the refill), and the bucket
    ///     refills at the new rate.
    ///   - cost: What the request takes (1 for requests; its estimated tokens for tokens). A cost
    ///     above the limit is never admitted: the caller refuses such a request outright.
    ///   - now: The current time.
    public mutating func admit(team: Int64, limit: Int, cost: Int = 1, now: ContinuousClock.Instant) -> Admission {
        var bucket = refilled(team: team, limit: limit, now: now)
        let need = Double(max(0, cost))
        let admitted = need <= bucket.capacity && bucket.tokens >= need
        if admitted { bucket.tokens -= need }
        let wanted = max(1, need)
        let retryAfter: Duration = bucket.tokens >= wanted ? .zero : .seconds((wanted - bucket.tokens) / perSecond(bucket))
        return store(bucket, team: team, now: now, admitted: admitted, retryAfter: retryAfter)
    }

    /// Corrects a request's cost once known: gives back what it took at admission beyond what it
    /// used, or takes what it used beyond that (which may put the bucket in debt: a refused
    /// request waits until the refill has paid it off).
    /// - Returns: The bucket's state after the correction, as an admitted request's headers say it.
    @discardableResult
    public mutating func settle(team: Int64, limit: Int, reserved: Int, used: Int, now: ContinuousClock.Instant) -> Admission {
        var bucket = refilled(team: team, limit: limit, now: now)
        bucket.tokens = min(bucket.capacity, bucket.tokens + Double(reserved - used))
        return store(bucket, team: team, now: now, admitted: true, retryAfter: .zero)
    }

    /// Forgets the buckets left alone for a minute, unless in debt: each other has refilled by
    /// then, whatever its limit, and a forgotten team starts full again, which is what its bucket
    /// would hold.
    public mutating func prune(now: ContinuousClock.Instant) {
        admissionsSincePrune = 0
        buckets = buckets.filter { _, bucket in bucket.updated.duration(to: now) < .seconds(60) || bucket.tokens < 0 }
    }

    /// `team`'s bucket brought to `now` and to `limit`.
    private func refilled(team: Int64, limit: Int, now: ContinuousClock.Instant) -> Bucket {
        let capacity = Double(max(1, limit))
        var bucket = buckets[team] ?? Bucket(tokens: capacity, updated: now, capacity: capacity)
        if bucket.capacity != capacity {
            // What was used of the old limit counts against the new one; a debt is never deepened.
            bucket.tokens = max(min(0, bucket.tokens), bucket.tokens + capacity - bucket.capacity)
            bucket.capacity = capacity
        }
        let elapsed = bucket.updated.duration(to: now)
        if elapsed > .zero {
            bucket.tokens = min(capacity, bucket.tokens + Self.seconds(elapsed) * perSecond(bucket))
            bucket.updated = now
        }
        return bucket
    }

    private mutating func store(_ bucket: Bucket, team: Int64, now: ContinuousClock.Instant, admitted: Bool,
                                retryAfter: Duration) -> Admission {
        buckets[team] = bucket
        admissionsSincePrune += 1
        if admissionsSincePrune >= 4096 {
            prune(now: now)
        }
        return Admission(admitted: admitted, limit: Int(bucket.capacity), remaining: Int(max(0, bucket.tokens).rounded(.down)),
                         retryAfter: retryAfter, resetAfter: .seconds((bucket.capacity - bucket.tokens) / perSecond(bucket)))
    }

    private func perSecond(_ bucket: Bucket) -> Double { bucket.capacity / 60 }

    private static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
