/// Per-team request rate limits (a team's `rpm`): one token bucket per team that holds at most
/// `limit` requests and refills at `limit` per minute, so a team may burst its whole minute's
/// allowance after a quiet spell and then keeps to the rate. Pure: the caller passes the time.
public struct RequestRateBuckets: Sendable {
    /// What ``admit(team:limit:now:)`` decided, with what the rate-limit headers say.
    public struct Admission: Sendable, Equatable {
        /// Whether the request may go on.
        public var admitted: Bool
        /// The team's limit, requests per minute.
        public var limit: Int
        /// Whole requests the team may still send at once (after this one, when admitted).
        public var remaining: Int
        /// How long until the next request would be admitted: zero when one would be now.
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

    /// Takes one request from `team`'s bucket if it holds one.
    /// - Parameters:
    ///   - team: The team's id.
    ///   - limit: Its limit in requests per minute (at least 1). A changed limit takes effect at
    ///     once: what the team used of the old one counts against the new one (a raise frees the
    ///     difference, a cut below what was used leaves nothing until the refill), and the bucket
    ///     refills at the new rate.
    ///   - now: The current time.
    public mutating func admit(team: Int64, limit: Int, now: ContinuousClock.Instant) -> Admission {
        let capacity = Double(max(1, limit))
        let perSecond = capacity / 60
        var bucket = buckets[team] ?? Bucket(tokens: capacity, updated: now, capacity: capacity)
        if bucket.capacity != capacity {
            bucket.tokens = max(0, bucket.tokens + capacity - bucket.capacity)
            bucket.capacity = capacity
        }
        let elapsed = bucket.updated.duration(to: now)
        if elapsed > .zero {
            bucket.tokens = min(capacity, bucket.tokens + Self.seconds(elapsed) * perSecond)
            bucket.updated = now
        }
        let admitted = bucket.tokens >= 1
        if admitted { bucket.tokens -= 1 }
        let retryAfter: Duration = bucket.tokens >= 1 ? .zero : .seconds((1 - bucket.tokens) / perSecond)
        let admission = Admission(admitted: admitted, limit: max(1, limit), remaining: Int(bucket.tokens.rounded(.down)),
                                  retryAfter: retryAfter, resetAfter: .seconds((capacity - bucket.tokens) / perSecond))
        buckets[team] = bucket
        admissionsSincePrune += 1
        if admissionsSincePrune >= 4096 {
            prune(now: now)
        }
        return admission
    }

    /// Forgets the buckets left alone for a minute: each has refilled by then, whatever its limit,
    /// and a forgotten team starts full again, which is what its bucket would hold.
    public mutating func prune(now: ContinuousClock.Instant) {
        admissionsSincePrune = 0
        buckets = buckets.filter { _, bucket in bucket.updated.duration(to: now) < .seconds(60) }
    }

    private static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
