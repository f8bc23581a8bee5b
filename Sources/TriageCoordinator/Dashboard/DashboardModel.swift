import Foundation
import TriageCore
import TriageStore

/// Everything the dashboard shows, computed from the store and the pool; pure, so it is
/// tested without a cluster.
struct DashboardModel: Sendable {
    struct TeamSpend: Sendable, Equatable {
        var name: String
        var period: String
        var spent: Money
        var budget: Money?
    }

    struct Percentiles: Sendable, Equatable {
        /// `total`, `upstream` or `overhead`.
        var name: String
        var p50: Double
        var p90: Double
        var p99: Double
        var count: Int
    }

    struct Worker: Sendable, Equatable {
        var id: String
        var inFlight: Int
        var capacity: Int
        var draining: Bool
        /// Seconds since the worker last answered a ping.
        var silentFor: Double
    }

    var generatedAt: Date
    var windowMinutes: Int
    /// Tiers in ladder order (plus `none` when some requests never got one).
    var tiers: [String]
    /// Requests per tier per minute, oldest minute first: `traffic[tier][minute]`.
    var traffic: [String: [Int]]
    var requests: Int
    var errors: Int
    var cheapestTier: String
    var topTier: String
    /// Requests answered by the cheapest tier, over all requests (nil without requests).
    var cheapestShare: Double?
    var spent: Money
    /// What the same tokens would have cost on the top tier.
    var allTopCost: Money
    var teams: [TeamSpend]
    /// Failed attempts by reason, most frequent first.
    var climbs: [(reason: String, count: Int)]
    var latency: [Percentiles]
    var workers: [Worker]
    /// Shadow comparisons of the cheapest tier's answers in the window with a verdict, and those judged
    /// as good as (or better than) the top tier's: its measured routing accuracy.
    var shadowJudged = 0
    var shadowGoodEnough = 0

    var savings: Money { allTopCost - spent }

    static func build(stats: TrafficStats, teams: [TeamSpend], workers: [Worker], ladder: [TierConfig],
                      windowMinutes: Int, now: Date) -> DashboardModel {
        var tiers = ladder.map(\.name)
        for t in stats.tiers.map(\.tier) where !tiers.contains(t) { tiers.append(t) }
        var traffic: [String: [Int]] = [:]
        for t in tiers { traffic[t] = Array(repeating: 0, count: windowMinutes) }
        for b in stats.buckets where b.index >= 0 && b.index < windowMinutes {
            traffic[b.tier, default: Array(repeating: 0, count: windowMinutes)][b.index] += b.requests
        }
        let cheapest = ladder.first?.name ?? "-"
        let top = ladder.last
        let answeredCheap = stats.tiers.first { $0.tier == cheapest }?.requests ?? 0
        var allTop = Money.zero
        if let top {
            for t in stats.tiers {
                // With the cache discounts the top tier's provider would have given the same prompts.
                allTop += top.price.cost(Usage(promptTokens: t.promptTokens, completionTokens: t.completionTokens,
                                               cachedTokens: t.cachedTokens, cacheWriteTokens: t.cacheWriteTokens))
            }
        }
        return DashboardModel(
            generatedAt: now, windowMinutes: windowMinutes, tiers: tiers.filter { traffic[$0] != nil }, traffic: traffic,
            requests: stats.requests, errors: stats.errors, cheapestTier: cheapest, topTier: top?.name ?? "-",
            cheapestShare: stats.requests > 0 ? Double(answeredCheap) / Double(stats.requests) : nil,
            spent: Money(nanoUSD: stats.costNano), allTopCost: allTop, teams: teams,
            climbs: climbCounts(stats.attemptLogs), latency: percentiles(stats.timings), workers: workers)
    }

    /// Counts the failed attempts of the attempt logs by their outcome.
    static func climbCounts(_ logs: [String]) -> [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for log in logs {
            guard let attempts = (try? JSONValue.parse(Array(log.utf8)))?.arrayValue else { continue }
            for a in attempts {
                guard let outcome = a["outcome"]?.stringValue, outcome != "ok" else { continue }
                counts[outcome, default: 0] += 1
            }
        }
        return counts.map { (reason: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
    }

    /// p50/p90/p99 of the total latency, the upstream time and Triage's overhead (total less upstream).
    static func percentiles(_ timings: [TrafficStats.Timing]) -> [Percentiles] {
        let total = timings.map(\.latencyMs)
        let upstream = timings.compactMap(\.upstreamMs)
        let overhead = timings.compactMap { t in t.upstreamMs.map { max(t.latencyMs - $0, 0) } }
        return [("total", total), ("upstream", upstream), ("overhead", overhead)].map { name, values in
            let sorted = values.sorted()
            return Percentiles(name: name, p50: rank(sorted, 0.50), p90: rank(sorted, 0.90), p99: rank(sorted, 0.99), count: sorted.count)
        }
    }

    /// The nearest-rank percentile of sorted values (0 when empty).
    static func rank(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let i = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(i, 0), sorted.count - 1)]
    }
}
