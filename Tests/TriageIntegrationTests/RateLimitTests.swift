import Foundation
import Testing
import TriageCore

extension Integration {
    /// Team request rate limits through the real cluster: the coordinator refuses a team over its
    /// `rpm` with OpenAI's 429 and rate-limit headers before any worker or upstream sees the request,
    /// other teams are not touched, and `triage team set --rpm` changes or removes the limit live.
    @Suite struct RateLimitTests {
        @Test func aTeamOverItsRateLimitIsRefusedWithRetryHeadersAndOthersAreNot() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let created = try cluster.cli(["team", "create", "burst", "--rpm", "3"])
            #expect(created.contains("3 requests per minute"), "\(created)")
            _ = try cluster.cli(["team", "create", "calm"])
            let burst = ["Authorization": "Bearer \(try cluster.createKey(team: "burst"))"]
            let calm = ["Authorization": "Bearer \(try cluster.createKey(team: "calm"))"]
            let question = chatBody("What is the capital of France?")

            // A minute's allowance at once: three answers, the last one streamed, each saying what is left.
            for remaining in ["2", "1"] {
                let r = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
                #expect(r.status == 200, "\(r.text)")
                #expect(r.headers["x-ratelimit-limit-requests"] == "3")
                #expect(r.headers["x-ratelimit-remaining-requests"] == remaining)
            }
            let streamed = try await cluster.http.post(cluster.chatURL, json: chatBody("What is the capital of France?", stream: true), headers: burst)
            #expect(streamed.status == 200 && streamed.text.contains("data: [DONE]"), "\(streamed.text)")
            #expect(streamed.headers["x-ratelimit-remaining-requests"] == "0")
            let simBase = try #require(cluster.simBase)
            let served = try await cluster.http.get(simBase + "/sim/attempts").text

            let refused = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
            #expect(refused.status == 429)
            let error = try refused.json()["error"]
            #expect(error?["type"]?.stringValue == "requests")
            #expect(error?["code"]?.stringValue == "rate_limit_exceeded")
            #expect(error?["message"]?.stringValue?.contains("3 requests per minute") == true, "\(refused.text)")
            // Three a minute refill one every 20 s.
            let retryMs = try #require(refused.headers["retry-after-ms"].flatMap(Int.init))
            #expect((15_000...20_000).contains(retryMs), "\(retryMs)")
            #expect(refused.headers["retry-after"] == String((retryMs + 999) / 1000))
            #expect(refused.headers["x-ratelimit-remaining-requests"] == "0")
            #expect(try await cluster.http.get(simBase + "/sim/attempts").text == served, "a refused request reaches no worker and no provider")
            let metrics = try await cluster.http.get(cluster.base + "/metrics").text
            #expect(metrics.contains(#"triage_requests_refused_total{team="burst",reason="rate_limit_exceeded"} 1"#))

            // Another team is not limited, and gets no rate-limit headers.
            for _ in 0..<5 {
                let r = try await cluster.http.post(cluster.chatURL, json: question, headers: calm)
                #expect(r.status == 200, "\(r.text)")
                #expect(r.headers["x-ratelimit-limit-requests"] == nil)
            }

            // Bad limits are refused; a higher one applies to the next request (auth.cache_s is 0 here).
            #expect(throws: HarnessError.self) { try cluster.cli(["team", "set", "burst", "--rpm", "0"]) }
            _ = try cluster.cli(["team", "set", "burst", "--rpm", "600"])
            let raised = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
            #expect(raised.status == 200, "\(raised.text)")
            #expect(raised.headers["x-ratelimit-limit-requests"] == "600")
            _ = try cluster.cli(["team", "set", "burst", "--rpm", "none"])
            let shown = try JSONValue.parse(Array(try cluster.cli(["team", "show", "burst", "--json"]).utf8))
            #expect(shown["name"]?.stringValue == "burst" && (shown["rpm"] ?? .null) == .null, "\(shown)")
            for _ in 0..<3 {
                let r = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
                #expect(r.status == 200 && r.headers["x-ratelimit-limit-requests"] == nil, "\(r.status) \(r.text)")
            }
        }
    }
}
