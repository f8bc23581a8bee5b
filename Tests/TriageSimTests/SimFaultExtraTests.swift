import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

/// The faults issue 3 added: reset, never answer, error codes, omitted `[DONE]`, stall, flapping.
@Suite(.timeLimit(.minutes(1))) struct SimFaultExtraTests {
    @Test func resetBeforeHeadersDropsTheConnectionAndCounts() async throws {
        let config = SimConfig(port: 0, behaviours: ["r": SimBehaviour(failFirst: 1, reset: true)])
        try await SimTest.app(config).test(.live) { client in
            let port = try #require(client.port)
            let url = URL(string: "http://127.0.0.1:\(port)/v1/chat/completions")!
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = Data(String(buffer: SimTest.chatBody(model: "r", prompt: "hello")).utf8)
            await #expect(throws: (any Error).self) { _ = try await URLSession.shared.data(for: request) }
            // Only the first request was reset.
            let (_, ok) = try await URLSession.shared.data(for: request)
            #expect((ok as? HTTPURLResponse)?.statusCode == 200)
            let (attempts, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/sim/attempts")!)
            #expect(try JSONDecoder().decode([String: Int].self, from: attempts) == ["r": 2])
        }
    }

    @Test func hangNeverAnswers() async throws {
        let config = SimConfig(port: 0, behaviours: ["h": SimBehaviour(hang: true)])
        try await SimTest.app(config).test(.router) { client in
            let answered = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await SimTest.chat(client, SimTest.chatBody(model: "h", prompt: "x"))) != nil }
                group.addTask { try? await Task.sleep(for: .milliseconds(300)); return false }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            #expect(!answered)
        }
    }

    @Test(arguments: ["context_length_exceeded", "content_policy_violation"])
    func failCodeAnswers400WithTheOpenAICode(code: String) async throws {
        let config = SimConfig(port: 0, behaviours: ["c": SimBehaviour(failCode: code)])
        try await SimTest.app(config).test(.router) { client in
            let response = try await SimTest.chat(client, SimTest.chatBody(model: "c", prompt: "x"))
            #expect(response.status == .badRequest)
            let error = try SimTest.decode(ErrorBody.self, response.body).error
            #expect(error.code == code)
            #expect(error.type == "invalid_request_error")
        }
    }

    @Test func omitDoneEndsWithoutTheSentinelButComplete() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "a b c", omitDone: true)])
        try await SimTest.app(config).test(.router) { client in
            let events = SimTest.events(try await SimTest.chat(client, SimTest.chatBody(prompt: "x", stream: true, includeUsage: true)).body)
            #expect(!events.contains("[DONE]"))
            let chunks = try events.map { try JSONDecoder().decode(Chunk.self, from: Data($0.utf8)) }
            #expect(chunks.contains { $0.choices.first?.finish_reason == "stop" })
            #expect(chunks.last?.usage?.completion_tokens == 3)
        }
    }

    @Test func stallPausesMidStream() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "a b c d", stallAfterTokens: 2, stallMs: 300)])
        try await SimTest.app(config).test(.router) { client in
            let start = ContinuousClock.now
            let response = try await SimTest.chat(client, SimTest.chatBody(prompt: "x", stream: true))
            #expect(start.duration(to: .now) >= .milliseconds(300))
            #expect(SimTest.events(response.body).last == "[DONE]")
        }
    }

    @Test func downForTheFirstSecondsThenUp() async throws {
        let config = SimConfig(port: 0, behaviours: ["f": SimBehaviour(downForSeconds: 0.4)])
        try await SimTest.app(config).test(.router) { client in
            let down = try await SimTest.chat(client, SimTest.chatBody(model: "f", prompt: "x"))
            #expect(down.status == .serviceUnavailable)
            try await Task.sleep(for: .milliseconds(500))
            let up = try await SimTest.chat(client, SimTest.chatBody(model: "f", prompt: "x"))
            #expect(up.status == .ok)
        }
    }

    @Test func newFieldsRoundTripAsSnakeCase() throws {
        let json = #"{"reset":true,"omit_done":true,"fail_code":"context_length_exceeded"}"#
        let b = try JSONDecoder().decode(SimBehaviour.self, from: Data(json.utf8))
        #expect(b == SimBehaviour(reset: true, omitDone: true, failCode: "context_length_exceeded"))
    }
}
