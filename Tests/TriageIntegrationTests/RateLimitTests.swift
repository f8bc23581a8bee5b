import Foundation
import Testing
import TriageCore

extension Integration {
    /// Team rate limits through the real cluster: the coordinator refuses a team over its `rpm` or
    /// `tpm` with OpenAI's 429 and rate-limit headers before any worker or upstream sees the request,
    /// other teams are not touched, tokens are corrected to what each answer used, and `triage team
    /// set --rpm/--tpm` changes or removes a limit live.
    @Suite struct RateLimitTests {
        @Test func aTeamOverItsRateLimitIsRefusedWithRetryHeadersAndOthersAreNot() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let created = try await cluster.cli(["team", "create", "burst", "--rpm", "3"])
            #expect(created.contains("3 requests per minute"), "\(created)")
            _ = try await cluster.cli(["team", "create", "calm"])
            let burst = ["Authorization": "Bearer \(try await cluster.createKey(team: "burst"))"]
            let calm = ["Authorization": "Bearer \(try await cluster.createKey(team: "calm"))"]
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
            await #expect(throws: HarnessError.self) { try await cluster.cli(["team", "set", "burst", "--rpm", "0"]) }
            _ = try await cluster.cli(["team", "set", "burst", "--rpm", "600"])
            let raised = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
            #expect(raised.status == 200, "\(raised.text)")
            #expect(raised.headers["x-ratelimit-limit-requests"] == "600")
            _ = try await cluster.cli(["team", "set", "burst", "--rpm", "none"])
            let shown = try JSONValue.parse(Array(try await cluster.cli(["team", "show", "burst", "--json"]).utf8))
            #expect(shown["name"]?.stringValue == "burst" && (shown["rpm"] ?? .null) == .null, "\(shown)")
            for _ in 0..<3 {
                let r = try await cluster.http.post(cluster.chatURL, json: question, headers: burst)
                #expect(r.status == 200 && r.headers["x-ratelimit-limit-requests"] == nil, "\(r.status) \(r.text)")
            }
        }

        @Test func aTeamOverItsTokenLimitIsRefusedAndTokensFollowWhatAnswersUsed() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let created = try await cluster.cli(["team", "create", "wordy", "--tpm", "1000"])
            #expect(created.contains("1000 tokens per minute"), "\(created)")
            _ = try await cluster.cli(["team", "create", "broke", "--budget", "0", "--tpm", "1000"])
            let wordy = ["Authorization": "Bearer \(try await cluster.createKey(team: "wordy"))"]
            let broke = ["Authorization": "Bearer \(try await cluster.createKey(team: "broke"))"]
            let question = chatBody("Explain how a hash map works.")
            let simBase = try #require(cluster.simBase)

            // The first answer leaves the limit less what it used (and what refilled meanwhile, 1000 a minute).
            let start = ContinuousClock.now
            let first = try await cluster.http.post(cluster.chatURL, json: question, headers: wordy)
            let refill = Int((Double(start.duration(to: .now).components.seconds) + Double(start.duration(to: .now).components.attoseconds) * 1e-18) * 1000 / 60) + 1
            #expect(first.status == 200, "\(first.text)")
            let used = try #require((try first.json())["usage"]?["total_tokens"]?.intValue)
            #expect(first.headers["x-ratelimit-limit-tokens"] == "1000")
            #expect(first.headers["x-ratelimit-limit-requests"] == nil, "no request limit was set")
            let remaining = try #require(first.headers["x-ratelimit-remaining-tokens"].flatMap(Int.init))
            #expect((1000 - used - 1...1000 - used + refill).contains(remaining), "remaining \(remaining) after \(used) tokens, refill \(refill)")

            // Answers use more than the prompts they are admitted on (no max_tokens): the team runs out.
            var refused: HTTPResult?
            for _ in 0..<60 {
                let served = try await cluster.http.get(simBase + "/sim/attempts").text
                let r = try await cluster.http.post(cluster.chatURL, json: question, headers: wordy)
                if r.status == 429 {
                    #expect(try await cluster.http.get(simBase + "/sim/attempts").text == served, "a refused request reaches no worker and no provider")
                    refused = r
                    break
                }
                #expect(r.status == 200, "\(r.text)")
            }
            let r = try #require(refused, "1000 tokens a minute ran out")
            let error = try r.json()["error"]
            #expect(error?["type"]?.stringValue == "tokens", "\(r.text)")
            #expect(error?["code"]?.stringValue == "rate_limit_exceeded")
            #expect(error?["message"]?.stringValue?.contains("1000 tokens per minute") == true, "\(r.text)")
            let retryMs = try #require(r.headers["retry-after-ms"].flatMap(Int.init))
            #expect((1...60_000).contains(retryMs), "\(retryMs)")
            #expect(r.headers["x-should-retry"] == nil, "it fits once the minute refills")

            // A request larger than the whole minute's allowance could never be admitted: the clients are told not to retry.
            var huge = question
            huge = .object((huge.objectValue ?? [:]).merging(["max_tokens": .int(5_000)]) { _, b in b })
            let tooLarge = try await cluster.http.post(cluster.chatURL, json: huge, headers: wordy)
            #expect(tooLarge.status == 429)
            #expect(tooLarge.headers["x-should-retry"] == "false")
            #expect((try tooLarge.json())["error"]?["message"]?.stringValue?.hasPrefix("Request too large for team 'wordy'") == true, "\(tooLarge.text)")

            // A request that costs nothing uses no tokens: a team without budget is refused by the
            // worker five times over, each admitted on 400+ tokens that all come back.
            var withMax = question
            withMax = .object((withMax.objectValue ?? [:]).merging(["max_tokens": .int(400)]) { _, b in b })
            for i in 0..<5 {
                let b = try await cluster.http.post(cluster.chatURL, json: withMax, headers: broke)
                #expect(b.status == 429, "\(b.text)")
                #expect((try b.json())["error"]?["code"]?.stringValue == "budget_exceeded", "request \(i + 1): \(b.text)")
                let left = try #require(b.headers["x-ratelimit-remaining-tokens"].flatMap(Int.init))
                #expect(left >= 999, "request \(i + 1): \(left) tokens left")
            }

            // The limit is removed live (auth.cache_s is 0 here).
            await #expect(throws: HarnessError.self) { try await cluster.cli(["team", "set", "wordy", "--tpm", "0"]) }
            _ = try await cluster.cli(["team", "set", "wordy", "--tpm", "none"])
            let free = try await cluster.http.post(cluster.chatURL, json: question, headers: wordy)
            #expect(free.status == 200 && free.headers["x-ratelimit-limit-tokens"] == nil, "\(free.status) \(free.text)")
        }
    }
}
