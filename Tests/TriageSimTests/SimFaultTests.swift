import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

@Suite struct SimFaultTests {
    @Test func failFirstFailsTwiceThenSucceedsAndCountsAttempts() async throws {
        let config = SimConfig(port: 0, behaviours: ["flaky": SimBehaviour(failStatus: 429, failFirst: 2, retryAfter: 3)])
        try await SimTest.app(config).test(.router) { client in
            for _ in 0..<2 {
                let response = try await SimTest.chat(client, SimTest.chatBody(model: "flaky", prompt: "hello there"))
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
                let error = try SimTest.decode(ErrorBody.self, response.body).error
                #expect(error.type == "rate_limit_error")
                #expect(error.code == "rate_limit_exceeded")
                #expect(!error.message.isEmpty)
            }
            let ok = try await SimTest.chat(client, SimTest.chatBody(model: "flaky", prompt: "hello there"))
            #expect(ok.status == .ok)
            #expect(ok.headers[.retryAfter] == nil)
            _ = try await SimTest.chat(client, SimTest.chatBody(model: "other", prompt: "hello there"))

            let attempts = try await client.execute(uri: "/sim/attempts", method: .get)
            #expect(try SimTest.decode([String: Int].self, attempts.body) == ["flaky": 3, "other": 1])

            let reset = try await client.execute(uri: "/sim/reset", method: .post)
            #expect(reset.status == .ok)
            let after = try await client.execute(uri: "/sim/attempts", method: .get)
            #expect(try SimTest.decode([String: Int].self, after.body) == [:])
            // A reset restarts the fail_first window.
            let again = try await SimTest.chat(client, SimTest.chatBody(model: "flaky", prompt: "hello there"))
            #expect(again.status == .tooManyRequests)
        }
    }

    @Test func failStatusWithoutFailFirstAlwaysFailsAndWildcardApplies() async throws {
        try await SimTest.app().test(.router) { client in
            try await SimTest.setBehaviours(client, #"{"*": {"fail_status": 503, "retry_after": 7}, "good": {}}"#)
            for _ in 0..<3 {
                let response = try await SimTest.chat(client, SimTest.chatBody(model: "any-model", prompt: "hello"))
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                #expect(try SimTest.decode(ErrorBody.self, response.body).error.type == "server_error")
            }
            let good = try await SimTest.chat(client, SimTest.chatBody(model: "good", prompt: "hello"))
            #expect(good.status == .ok)
            let stream = try await SimTest.chat(client, SimTest.chatBody(model: "any-model", prompt: "hello", stream: true))
            #expect(stream.status == .serviceUnavailable)
        }
    }

    @Test func behavioursRoundTrip() async throws {
        try await SimTest.app().test(.router) { client in
            try await SimTest.setBehaviours(client, #"{"m": {"ttft_ms": 5, "tpot_ms": 1, "answer": "Fixed.", "cut_after_tokens": 3}}"#)
            let response = try await client.execute(uri: "/sim/behaviours", method: .get)
            let behaviours = try SimTest.decode([String: SimBehaviour].self, response.body)
            #expect(behaviours == ["m": SimBehaviour(ttftMs: 5, tpotMs: 1, answer: "Fixed.", cutAfterTokens: 3)])
            let json = String(buffer: response.body)
            #expect(json.contains("\"ttft_ms\":5"))
            #expect(json.contains("\"cut_after_tokens\":3"))

            let bad = try await client.execute(uri: "/sim/behaviours", method: .post, body: ByteBuffer(string: "[1]"))
            #expect(bad.status == .badRequest)
        }
    }

    @Test func aFixedAnswerRepeatsForLongAnswers() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "one two ", answerRepeat: 3)])
        try await SimTest.app(config).test(.router) { client in
            let completion = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: "What is the capital of France?")).body)
            #expect(completion.choices[0].message.content == "one two one two one two ")
        }
        let decoded = try JSONDecoder().decode(SimBehaviour.self, from: Data(#"{"answer": "x ", "answer_repeat": 2}"#.utf8))
        #expect(decoded == SimBehaviour(answer: "x ", answerRepeat: 2))
    }

    @Test func fixedAnswerOverridesGeneration() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "Always this.\nTwo lines.")])
        try await SimTest.app(config).test(.router) { client in
            let completion = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: "What is the capital of France?")).body)
            #expect(completion.choices[0].message.content == "Always this.\nTwo lines.")
            #expect(completion.usage.completion_tokens == 4)
        }
    }

    @Test func streamEscapesJSON() async throws {
        let answer = "Say \"hi\" \\ then\n\ttab \u{01} ünïcödé ✓ {\"content\":\"\"}"
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: answer)])
        try await SimTest.app(config).test(.router) { client in
            let events = SimTest.events(try await SimTest.chat(client, SimTest.chatBody(prompt: "x", stream: true)).body)
            let chunks = try events.dropLast().map { try JSONDecoder().decode(Chunk.self, from: Data($0.utf8)) }
            #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined() == answer)
        }
    }

    @Test(arguments: [false, true])
    func ttftIsHonoured(stream: Bool) async throws {
        let config = SimConfig(port: 0, behaviours: ["slow": SimBehaviour(ttftMs: 150)])
        try await SimTest.app(config).test(.router) { client in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await SimTest.chat(client, SimTest.chatBody(model: "slow", prompt: "hello", stream: stream))
            let elapsed = start.duration(to: clock.now)
            #expect(response.status == .ok)
            #expect(elapsed >= .milliseconds(150))
        }
    }

    @Test func tpotIsHonouredPerToken() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(tpotMs: 20, answer: "one two three four five six")])
        try await SimTest.app(config).test(.router) { client in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await SimTest.chat(client, SimTest.chatBody(prompt: "hello", stream: true))
            #expect(start.duration(to: clock.now) >= .milliseconds(100))  // 5 gaps between 6 tokens
            #expect(SimTest.events(response.body).last == "[DONE]")
        }
    }

    @Test func malformedEventIsInjected() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "a b c", malformedAfterTokens: 1)])
        try await SimTest.app(config).test(.router) { client in
            let events = SimTest.events(try await SimTest.chat(client, SimTest.chatBody(prompt: "x", stream: true)).body)
            let invalid = events.dropLast().filter { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil }
            #expect(invalid.count == 1)
            #expect(events.last == "[DONE]")
        }
    }

    @Test func streamIsCutAfterTokens() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "a b c d e", cutAfterTokens: 2)])
        try await SimTest.app(config).test(.live) { client in
            do {
                let response = try await SimTest.chat(client, SimTest.chatBody(prompt: "x", stream: true))
                // If the client hands back what arrived, it must not be a complete stream.
                let events = SimTest.events(response.body)
                #expect(!events.contains("[DONE]"))
                #expect(events.count <= 3)
            } catch {
                // The connection was dropped mid-body: that is the injected fault.
            }
            // The server keeps serving other requests (on a new connection: the test client's one is gone).
            let port = try #require(client.port)
            let (_, health) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            #expect((health as? HTTPURLResponse)?.statusCode == 200)
        }
    }
}
