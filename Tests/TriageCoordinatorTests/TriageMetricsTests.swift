import Prometheus
import Testing
import TriageCore
@testable import TriageCoordinator

struct TriageMetricsTests {
    @Test func fallbacksParse() {
        let list = Fallback.parseList("simple/gpt-4o-mini=server_error(503), medium/org/model-x=timeout, junk")
        #expect(list == [Fallback(tier: "simple", model: "gpt-4o-mini", reason: "server_error", status: 503),
                         Fallback(tier: "medium", model: "org/model-x", reason: "timeout", status: nil)])
    }

    @Test func finishedRequestReadsTheWorkerHeaders() {
        let r = FinishedRequest(id: "r", team: "t", status: 200, stream: false, duration: .milliseconds(120), headers: [
            "x-triage-tier": "medium", "x-triage-model": "m", "x-triage-attempts": "2", "x-triage-worker": "w1",
            "x-triage-fallbacks": "simple/s=rate_limited(429)", "x-triage-cost-usd": "0.000010000", "x-triage-upstream-ms": "100",
        ])
        #expect(r.tier == "medium" && r.model == "m" && r.attempts == 2 && r.worker == "w1")
        #expect(r.fallbacks.first?.reason == "rate_limited")
        #expect(r.cost == Money(nanoUSD: 10_000))
        #expect(r.overhead == .milliseconds(20))
        #expect(r.outcome == "2xx")
        let early = FinishedRequest(id: "r", team: nil, status: 401, stream: false, duration: .milliseconds(1))
        #expect(early.overhead == nil && early.outcome == "4xx")
    }

    @Test func recordedRequestsShowInTheExposition() throws {
        let metrics = TriageMetrics()
        var r = FinishedRequest(id: "r", team: "ops", status: 200, stream: true, duration: .milliseconds(50), headers: [
            "x-triage-tier": "simple", "x-triage-model": "mini", "x-triage-fallbacks": "simple/mini=server_error(503)",
            "x-triage-upstream-ms": "40",
        ])
        r.usage = Usage(promptTokens: 7, completionTokens: 11)
        r.timeToFirstToken = .milliseconds(9)
        metrics.record(r)
        metrics.record(r)
        let text = MetricsRoute.withHelp(metrics.registry.emitToString(), help: TriageMetrics.Name.help)
        #expect(text.contains(#"triage_requests_total{tier="simple",model="mini",team="ops",outcome="2xx"} 2"#))
        #expect(text.contains(#"triage_climbs_total{reason="server_error",tier="simple",model="mini"} 2"#))
        #expect(text.contains(#"triage_tokens_total{direction="in",tier="simple",model="mini",team="ops"} 14"#))
        #expect(text.contains(#"triage_overhead_seconds_count{tier="simple"} 2"#))
        #expect(text.contains(#"triage_time_to_first_token_seconds_count{tier="simple",model="mini"} 2"#))
        #expect(text.contains("# HELP triage_requests_total "))
        // Families come sorted, each HELP right before its TYPE.
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.map { $0.split(separator: " ")[2] }
        #expect(types == types.sorted())
    }

    @Test func refusalsForATeamsLimitsAreCountedByReason() {
        let metrics = TriageMetrics()
        for code in ["rate_limit_exceeded", "rate_limit_exceeded", "budget_exceeded"] {
            var r = FinishedRequest(id: "r", team: "ops", status: 429, stream: false, duration: .milliseconds(1))
            r.errorCode = code
            metrics.record(r)
        }
        var other = FinishedRequest(id: "r", team: "ops", status: 400, stream: false, duration: .milliseconds(1))
        other.errorCode = "invalid_json"
        metrics.record(other)
        let text = metrics.registry.emitToString()
        #expect(text.contains(#"triage_requests_refused_total{team="ops",reason="rate_limit_exceeded"} 2"#))
        #expect(text.contains(#"triage_requests_refused_total{team="ops",reason="budget_exceeded"} 1"#))
        #expect(!text.contains(#"reason="invalid_json""#), "other client errors are not refusals")
    }
}
