import Foundation
import Testing
import TriageCore

extension Integration {
    /// A team's limit on requests in flight (`max_concurrent`) through the real cluster: requests
    /// past it are refused at once while the others run, other teams are not touched, and every
    /// place comes back, also from a client that leaves mid-stream.
    @Suite struct ConcurrencyLimitTests {
        @Test func aTeamAtItsLimitOfRequestsInFlightIsRefusedUntilOneEnds() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // Slow answers (40 ms a token), so requests overlap.
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, tpotMs: 40, authRequired: true))
            let created = try await cluster.cli(["team", "create", "busy", "--max-concurrent", "2"])
            #expect(created.contains("at most 2 requests at once"), "\(created)")
            _ = try await cluster.cli(["team", "create", "other"])
            let busy = ["Authorization": "Bearer \(try await cluster.createKey(team: "busy"))"]
            let other = ["Authorization": "Bearer \(try await cluster.createKey(team: "other"))"]
            // About 80 tokens at 40 ms each: each stream runs for about 3 s.
            let stream = chatBody("Write a short story about a lighthouse keeper who finds a message in a bottle, "
                                  + "and what she does with it over one long winter.", stream: true)
            let simBase = try #require(cluster.simBase)
            func upstreamCalls() async throws -> Int {
                let counts = try await cluster.http.get(simBase + "/sim/attempts").json()
                return counts.objectValue?.values.compactMap(\.intValue).reduce(0, +) ?? 0
            }

            // Two streams hold both places...
            let before = try await upstreamCalls()
            async let first = cluster.http.post(cluster.chatURL, json: stream, headers: busy)
            async let second = cluster.http.post(cluster.chatURL, json: stream, headers: busy)
            #expect(await eventually(timeout: .seconds(10), interval: .milliseconds(20)) { ((try? await upstreamCalls()) ?? 0) >= before + 2 },
                    "both streams reached the provider")
            // ...so a third is refused at once, before any worker or provider sees it; another team is not limited.
            let calls = try await upstreamCalls()
            let refused = try await cluster.http.post(cluster.chatURL, json: chatBody("Hi"), headers: busy)
            #expect(refused.status == 429, "\(refused.text)")
            #expect((try refused.json())["error"]?["code"]?.stringValue == "concurrency_limit_exceeded", "\(refused.text)")
            #expect(refused.headers["retry-after"] == "1")
            #expect(try await upstreamCalls() == calls, "the refused request reached no provider")
            #expect(try await cluster.http.post(cluster.chatURL, json: chatBody("Hi"), headers: other).status == 200)
            let (a, b) = try await (first, second)
            #expect(a.status == 200 && a.text.contains("data: [DONE]"), "\(a.text)")
            #expect(b.status == 200 && b.text.contains("data: [DONE]"), "\(b.text)")
            let metrics = try await cluster.http.get(cluster.base + "/metrics").text
            #expect(metrics.contains(#"triage_requests_refused_total{team="busy",reason="concurrency_limit_exceeded"} 1"#))

            // A client that leaves mid-stream gives its place back.
            do {
                _ = try await cluster.http.post(cluster.chatURL, json: stream, timeout: .milliseconds(300), headers: busy)
                Issue.record("the stream finished within 300 ms")
            } catch {}
            #expect(await eventually(timeout: .seconds(5), interval: .milliseconds(50)) {
                async let x = cluster.http.post(cluster.chatURL, json: chatBody("Hi"), headers: busy)
                async let y = cluster.http.post(cluster.chatURL, json: chatBody("Hi"), headers: busy)
                guard let (x, y) = try? await (x, y) else { return false }
                return x.status == 200 && y.status == 200
            }, "both places are free again once the requests ended")

            // The limit is removed live (auth.cache_s is 0 here).
            _ = try await cluster.cli(["team", "set", "busy", "--max-concurrent", "none"])
            async let p = cluster.http.post(cluster.chatURL, json: stream, headers: busy)
            async let q = cluster.http.post(cluster.chatURL, json: stream, headers: busy)
            async let r = cluster.http.post(cluster.chatURL, json: stream, headers: busy)
            let all = try await [p, q, r]
            #expect(all.allSatisfy { $0.status == 200 }, "\(all.map(\.status))")
        }
    }
}
