import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Issue 6 through the real cluster: poor answers climb and are logged as misroutes; callers'
    /// feedback is stored for their own requests only.
    @Suite struct QualityLoopTests {
        static let question = "What is the capital of France?"
        static let refusal = #"{"gpt-4o-mini": {"answer": "I'm sorry, but I can't help with that."}}"#

        @Test func aRefusalClimbsAndIsLoggedAsAMisrouteWithoutTheQueryText() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: Self.refusal)
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase)))
            let r = try await cluster.chat(Self.question)
            #expect(r.status == 200)
            #expect(r.headers["x-triage-tier"] == "medium")
            #expect(r.headers["x-triage-fallbacks"] == "simple/gpt-4o-mini=low_quality(200)")
            #expect(r.headers["x-triage-quality"] == nil, "the answer returned is not the poor one")
            let content = try r.json()["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
            #expect(!content.contains("sorry"))
            // Both answers were produced, so both are charged: the poor one and the good one.
            let usage = try #require(try r.json()["usage"])
            let medium = ClusterSpec.prices["medium"]!.cost(promptTokens: usage["prompt_tokens"]!.intValue!, completionTokens: usage["completion_tokens"]!.intValue!)
            let charged = try #require(Money(decimalString: r.headers["x-triage-cost-usd"] ?? ""))
            #expect(charged > medium)
            #expect(try await sim.attempts() == ["gpt-4o-mini": 1, "claude-sonnet-4-5": 1])

            let store = try cluster.store()
            let id = try #require(r.headers["x-triage-request-id"])
            let misroute = await poll(timeout: .seconds(3)) { try? store.misroutes().first { $0.requestID == id } }
            let m = try #require(misroute)
            #expect(m.firstTier == "simple" && m.finalTier == "medium")
            #expect(m.reason.hasPrefix("low_quality: refusal"))
            #expect(m.queryText == nil, "the default privacy setting keeps no query text")
            #expect(m.queryHash == SHA256.hex(Self.question.lowercased()))
            #expect(m.features?.contains("\"words\":6") == true)
        }

        @Test func streamsClimbWhenBufferedAndAreOnlyFlaggedOtherwise() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(behaviours: Self.refusal)
            let buffered = try await env.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase),
                                                                  tierQuality: ["simple": "buffer"], privacy: "{store_query_text: true}"))
            let s = try await buffered.http.stream(buffered.chatURL, json: chatBody(Self.question, stream: true))
            #expect(s.status == 200)
            #expect(s.headers["x-triage-tier"] == "medium", "a buffered stream climbs before anything is sent")
            #expect(s.data.last == "[DONE]")
            #expect(!s.raw.contains("sorry"))
            let store = try buffered.store()
            let logged = await poll(timeout: .seconds(3)) { try? store.misroutes().first }
            #expect(logged?.queryText == Self.question, "store_query_text: true keeps the text")
            env.tearDown()

            let env2 = try IntegrationEnv()
            defer { env2.tearDown() }
            let sim2 = try await env2.startSim(behaviours: Self.refusal)
            let plain = try await env2.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim2.openAIBase)))
            let p = try await plain.http.stream(plain.chatURL, json: chatBody(Self.question, stream: true))
            #expect(p.headers["x-triage-tier"] == "simple", "an unbuffered stream is delivered as it comes")
            #expect(p.raw.contains("sorry"))
            let store2 = try plain.store()
            let kept = await poll(timeout: .seconds(3)) { try? store2.misroutes().first }
            #expect(kept?.reason.hasPrefix("low_quality (kept)") == true, "the checks still record it")
            #expect(kept?.finalTier == "simple")
        }

        /// A health check or a one-word classifier sets `max_tokens: 1`: its answer is cut where it
        /// asked, and would be on every tier, so it is the first tier's answer, charged once, neither
        /// graded by the judge nor logged as a misroute. (It climbed the whole ladder before: three
        /// tiers charged for one token, and two misroutes that taught the classifier nothing true.)
        @Test func anAnswerCutAtTheRequestsOwnMaxTokensDoesNotClimb() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let judgeModel = "judge-mini"
            let sim = try await env.startSim(behaviours: #"{"\#(judgeModel)": {"answer": "2"}}"#)
            var spec = ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase), tierQuality: ["simple": "buffer"])
            spec.judge = "{provider: sim, model: \(judgeModel), input_per_mtok: 1.0, output_per_mtok: 2.0, timeout_ms: 20000}"
            spec.qualityJudge = ["simple": "{threshold: 6}"]
            let cluster = try await env.startCluster(spec)
            func limited(stream: Bool) -> JSONValue {
                var body = chatBody(Self.question, stream: stream)
                body["max_tokens"] = .int(1)
                return body
            }
            let whole = try await cluster.http.post(cluster.chatURL, json: limited(stream: false))
            #expect(whole.status == 200, "\(whole.text)")
            #expect(whole.headers["x-triage-tier"] == "simple" && whole.headers["x-triage-attempts"] == "1", "\(whole.headers)")
            #expect(try whole.json()["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "length")
            #expect(try whole.json()["usage"]?["completion_tokens"]?.intValue == 1)
            let streamed = try await cluster.http.stream(cluster.chatURL, json: limited(stream: true))
            #expect(streamed.headers["x-triage-tier"] == "simple", "a buffered stream cut at its own limit is sent as it is")
            #expect(streamed.data.last == "[DONE]")
            #expect(try await sim.attempts() == ["gpt-4o-mini": 2], "one call each, no judge call, no climb")

            // The same question without a limit is graded, and the judge's 2/10 climbs: the checks are live.
            let graded = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question))
            #expect(graded.headers["x-triage-tier"] == "medium", "\(graded.headers)")
            let store = try cluster.store()
            let logged = await poll(timeout: .seconds(3)) { () -> [String]? in
                guard let all = try? store.misroutes(), !all.isEmpty else { return nil }
                return all.map(\.requestID)
            }
            #expect(logged == [graded.headers["x-triage-request-id"] ?? "-"], "only the graded request is a misroute")
        }

        @Test func feedbackIsStoredForOwnRequestsAndRefusedOtherwise() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            var keys: [String: String] = [:]
            for team in ["a", "b"] {
                _ = try await env.run(["team", "create", team, "--config", cluster.configPath, "--data-dir", cluster.dataDir])
                let out = try await env.run(["key", "create", "--team", team, "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output
                keys[team] = try #require(out.split(separator: "\n").map(String.init).first(where: { $0.hasPrefix("tri_") }))
            }
            let r = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: ["x-api-key": keys["a"]!])
            let id = try #require(r.headers["x-triage-request-id"])
            let url = cluster.base + "/v1/feedback"
            let body: JSONValue = .object(["request_id": .string(id), "verdict": .string("needed_stronger"), "comment": .string("too terse")])
            let foreign = try await cluster.http.post(url, json: body, headers: ["x-api-key": keys["b"]!])
            #expect(foreign.status == 404)
            let anonymous = try await cluster.http.post(url, json: body)
            #expect(anonymous.status == 401)
            let unknown = try await cluster.http.post(url, json: .object(["request_id": .string("req_nope"), "verdict": .string("good")]),
                                                      headers: ["x-api-key": keys["a"]!])
            #expect(unknown.status == 404)
            let badVerdict = try await cluster.http.post(url, json: .object(["request_id": .string(id), "verdict": .string("meh")]),
                                                         headers: ["x-api-key": keys["a"]!])
            #expect(badVerdict.status == 400)
            let ok = try await cluster.http.post(url, json: body, headers: ["x-api-key": keys["a"]!])
            #expect(ok.status == 201, "\(ok.text)")
            let stored = try cluster.store().feedback(requestID: id)
            #expect(stored.count == 1)
            #expect(stored.first?.verdict == "needed_stronger" && stored.first?.comment == "too terse")
        }
    }
}
