import Foundation
import HTTPTypes
import Testing
import TriageCore
import TriageStore
@testable import TriageCoordinator

struct DashboardPageTests {
    static let ladder = [
        TierConfig(name: "simple", provider: "p", model: "s", price: Price(inputPerMTok: 0.15, outputPerMTok: 0.60)),
        TierConfig(name: "complex", provider: "p", model: "c", price: Price(inputPerMTok: 15, outputPerMTok: 75)),
    ]

    static func model() -> DashboardModel {
        let stats = TrafficStats(
            since: Date(timeIntervalSince1970: 0), bucketSeconds: 60,
            buckets: [.init(index: 58, tier: "simple", requests: 3, errors: 0), .init(index: 59, tier: "complex", requests: 1, errors: 1)],
            tiers: [.init(tier: "complex", requests: 1, errors: 1, promptTokens: 100, completionTokens: 100, costNano: 9_000_000),
                    .init(tier: "simple", requests: 3, errors: 0, promptTokens: 300, completionTokens: 300, costNano: 225_000)],
            timings: (1...100).map { TrafficStats.Timing(latencyMs: Double($0) + 10, upstreamMs: Double($0)) },
            attemptLogs: [#"[{"tier":"simple","model":"s","outcome":"server_error","status":503,"ms":3},{"tier":"complex","model":"c","outcome":"ok","ms":9}]"#])
        return DashboardModel.build(
            stats: stats, teams: [.init(name: "<team&co>", period: "monthly", spent: Money(nanoUSD: 9_225_000), budget: Money(usd: 1))],
            workers: [.init(id: "w1", inFlight: 2, capacity: 64, draining: false, silentFor: 0)], ladder: ladder, windowMinutes: 60,
            now: Date(timeIntervalSince1970: 3600))
    }

    @Test func modelSumsUp() {
        let m = Self.model()
        #expect(m.requests == 4 && m.errors == 1)
        #expect(m.cheapestShare == 0.75)
        #expect(m.traffic["simple"]?[58] == 3)
        #expect(m.spent == Money(nanoUSD: 9_225_000))
        // 400 prompt and 400 completion tokens at the complex tier's prices: 0.006 + 0.03 USD.
        #expect(m.allTopCost == Money(usd: 0.036))
        #expect(m.savings == Money(usd: 0.036) - Money(nanoUSD: 9_225_000))
        #expect(m.climbs.count == 1 && m.climbs[0].reason == "server_error" && m.climbs[0].count == 1)
        let total = m.latency.first { $0.name == "total" }
        #expect(total?.p50 == 60 && total?.p90 == 100 && total?.p99 == 109)
        #expect(m.latency.first { $0.name == "overhead" }?.p99 == 10)
    }

    @Test func pageIsSelfContainedAndCarriesItsData() {
        let html = DashboardPage.render(Self.model())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<meta http-equiv="refresh" content="10">"#))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(html.contains(#"data-series="simple" data-minute="58" data-value="3""#))
        #expect(html.contains(#"data-series="complex" data-minute="59" data-value="1""#))
        #expect(html.contains(#"data-series="climbs" data-reason="server_error" data-value="1""#))
        #expect(html.contains(#"data-series="in-flight" data-worker="w1" data-value="2""#))
        #expect(html.contains(#"data-series="worker-up" data-worker="w1" data-value="1""#))
        #expect(html.contains(#"data-headline="cheapest-share">75%"#))
        // Team names are the user's: escaped everywhere.
        #expect(!html.contains("<team&co>"))
        #expect(html.contains("&lt;team&amp;co&gt;"))
    }

    @Test func emptyWindowSaysSo() {
        let stats = TrafficStats(since: Date(), bucketSeconds: 60, buckets: [], tiers: [], timings: [], attemptLogs: [])
        let m = DashboardModel.build(stats: stats, teams: [], workers: [], ladder: Self.ladder, windowMinutes: 60, now: Date())
        let html = DashboardPage.render(m)
        #expect(html.contains("no requests in this window"))
        #expect(html.contains("no workers connected"))
    }

    @Test func basicAuthPasswordBecomesTheBearerKey() {
        var fields = HTTPFields()
        fields[.authorization] = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()
        #expect(DashboardRoute.bearerFromBasic(fields)[.authorization] == "Bearer s3cret")
    }
}
