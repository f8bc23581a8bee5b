import Foundation

/// The request log summarised over a time window, for the dashboard.
public struct TrafficStats: Sendable, Equatable {
    /// Requests of one tier in one time bucket.
    public struct Bucket: Sendable, Equatable {
        /// The bucket's index from the window's start (0 is the oldest).
        public var index: Int
        public var tier: String
        public var requests: Int
        public var errors: Int

        public init(index: Int, tier: String, requests: Int, errors: Int) {
            self.index = index
            self.tier = tier
            self.requests = requests
            self.errors = errors
        }
    }

    /// Totals of one tier (the tier that answered, or `none` when no tier was chosen).
    public struct TierTotals: Sendable, Equatable {
        public var tier: String
        public var requests: Int
        public var errors: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var costNano: Int64
        /// Prompt tokens read from and written to providers' prompt caches (part of `promptTokens`).
        public var cachedTokens: Int
        public var cacheWriteTokens: Int

        public init(tier: String, requests: Int, errors: Int, promptTokens: Int, completionTokens: Int, costNano: Int64,
                    cachedTokens: Int = 0, cacheWriteTokens: Int = 0) {
            self.cachedTokens = cachedTokens
            self.cacheWriteTokens = cacheWriteTokens
            self.tier = tier
            self.requests = requests
            self.errors = errors
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.costNano = costNano
        }
    }

    /// One request's timing.
    public struct Timing: Sendable, Equatable {
        public var latencyMs: Double
        public var upstreamMs: Double?

        public init(latencyMs: Double, upstreamMs: Double?) {
            self.latencyMs = latencyMs
            self.upstreamMs = upstreamMs
        }
    }

    public var since: Date
    public var bucketSeconds: Int
    public var buckets: [Bucket]
    public var tiers: [TierTotals]
    /// Timings of the most recent requests of the window (at most `timingLimit`).
    public var timings: [Timing]
    /// The attempt logs (JSON arrays) of requests that made more than one attempt or failed.
    public var attemptLogs: [String]

    public init(since: Date, bucketSeconds: Int, buckets: [Bucket], tiers: [TierTotals], timings: [Timing], attemptLogs: [String]) {
        self.since = since
        self.bucketSeconds = bucketSeconds
        self.buckets = buckets
        self.tiers = tiers
        self.timings = timings
        self.attemptLogs = attemptLogs
    }

    public var requests: Int { tiers.reduce(0) { $0 + $1.requests } }
    public var errors: Int { tiers.reduce(0) { $0 + $1.errors } }
    public var costNano: Int64 { tiers.reduce(0) { $0 + $1.costNano } }
}

extension Store {
    /// Summarises the request log from `since` on, in buckets of `bucketSeconds`.
    /// - Parameters:
    ///   - timingLimit: how many of the most recent requests' timings to return (for percentiles).
    ///   - attemptLogLimit: how many attempt logs of multi-attempt requests to return.
    public func trafficStats(since: Date, bucketSeconds: Int = 60, timingLimit: Int = 20_000,
                             attemptLogLimit: Int = 5_000) throws(StoreError) -> TrafficStats {
        let start = SQLiteValue(since)
        let width = Double(max(bucketSeconds, 1))
        return try requestLog().locked("trafficStats") { db throws(StoreError) in
            try db.typedTransaction(immediate: false) { () throws(StoreError) in
                let buckets = try db.query("""
                    SELECT CAST((created_at - ?) / ? AS INTEGER), coalesce(tier, 'none'), count(*), sum(status >= 400)
                    FROM requests WHERE created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2
                    """, [start, .real(width), start]) { r in
                    TrafficStats.Bucket(index: r.int(0), tier: r.text(1), requests: r.int(2), errors: r.int(3))
                }
                let tiers = try db.query("""
                    SELECT coalesce(tier, 'none'), count(*), sum(status >= 400), coalesce(sum(prompt_tokens), 0),
                           coalesce(sum(completion_tokens), 0), coalesce(sum(cost_nano), 0),
                           coalesce(sum(cached_tokens), 0), coalesce(sum(cache_write_tokens), 0)
                    FROM requests WHERE created_at >= ? GROUP BY 1 ORDER BY 1
                    """, [start]) { r in
                    TrafficStats.TierTotals(tier: r.text(0), requests: r.int(1), errors: r.int(2), promptTokens: r.int(3),
                                            completionTokens: r.int(4), costNano: r.int64(5), cachedTokens: r.int(6), cacheWriteTokens: r.int(7))
                }
                let timings = try db.query("""
                    SELECT latency_ms, upstream_ms FROM requests
                    WHERE created_at >= ? AND latency_ms IS NOT NULL ORDER BY created_at DESC LIMIT ?
                    """, [start, SQLiteValue(max(timingLimit, 0))]) { r in
                    TrafficStats.Timing(latencyMs: r.double(0), upstreamMs: r.doubleOrNil(1))
                }
                let logs = try db.query("""
                    SELECT attempt_log FROM requests
                    WHERE created_at >= ? AND (attempts > 1 OR status >= 400) AND attempt_log IS NOT NULL ORDER BY created_at DESC LIMIT ?
                    """, [start, SQLiteValue(max(attemptLogLimit, 0))]) { $0.text(0) }
                return TrafficStats(since: since, bucketSeconds: Int(width), buckets: buckets, tiers: tiers,
                                    timings: timings, attemptLogs: logs)
            }
        }
    }
}
