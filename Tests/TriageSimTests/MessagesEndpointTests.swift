import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

/// `POST /v1/messages`: Anthropic's Messages API on the simulated provider.
@Suite struct MessagesEndpointTests {
    static func body(model: String = "claude-x", prompt: String, stream: Bool = false, maxTokens: Int = 100) -> ByteBuffer {
        var o: [String: Any] = ["model": model, "max_tokens": maxTokens, "system": "Be brief.",
                                "messages": [["role": "user", "content": prompt]]]
        if stream { o["stream"] = true }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: o))
    }

    static func post(_ client: some TestClientProtocol, _ body: ByteBuffer) async throws -> TestResponse {
        try await client.execute(uri: "/v1/messages", method: .post,
                                 headers: [.contentType: "application/json", HTTPField.Name("anthropic-version")!: "2023-06-01"],
                                 body: body)
    }

    /// `(event, data)` pairs of an SSE body.
    static func events(_ buffer: ByteBuffer) -> [(String, String)] {
        String(buffer: buffer).components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
            var event = "", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            return (event, data)
        }
    }

    @Test func nonStreamMessage() async throws {
        try await SimTest.app().test(.router) { client in
            let response = try await Self.post(client, Self.body(prompt: "What is the capital of France?"))
            #expect(response.status == .ok)
            let m = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            #expect(m["type"] as? String == "message")
            #expect(m["role"] as? String == "assistant")
            #expect(m["stop_reason"] as? String == "end_turn")
            let content = m["content"] as! [[String: Any]]
            #expect(content.first?["text"] as? String == "The capital of France is Paris.")
            let usage = m["usage"] as! [String: Int]
            #expect(usage["output_tokens"] == 6)
            #expect((usage["input_tokens"] ?? 0) > 0)
        }
    }

    @Test func streamHasTheRealEventSequenceAndUsage() async throws {
        try await SimTest.app().test(.router) { client in
            let response = try await Self.post(client, Self.body(prompt: "What is the capital of France?", stream: true))
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(response.body)
            let names = events.map(\.0)
            #expect(Array(names.prefix(3)) == ["message_start", "content_block_start", "ping"])
            #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
            let text = try events.filter { $0.0 == "content_block_delta" }.map { e -> String in
                let o = try JSONSerialization.jsonObject(with: Data(e.1.utf8)) as! [String: Any]
                return (o["delta"] as! [String: Any])["text"] as! String
            }.joined()
            #expect(text == "The capital of France is Paris.")
            let delta = try JSONSerialization.jsonObject(with: Data(events[events.count - 2].1.utf8)) as! [String: Any]
            #expect((delta["delta"] as! [String: Any])["stop_reason"] as? String == "end_turn")
            #expect((delta["usage"] as! [String: Int])["output_tokens"] == 6)
            for (name, data) in events {
                let o = try JSONSerialization.jsonObject(with: Data(data.utf8)) as! [String: Any]
                #expect(o["type"] as? String == name)
            }
        }
    }

    @Test func maxTokensCutsWithMaxTokensStopReason() async throws {
        try await SimTest.app().test(.router) { client in
            let response = try await Self.post(client, Self.body(prompt: "Tell me a long story about the sea", maxTokens: 2))
            let m = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            #expect(m["stop_reason"] as? String == "max_tokens")
            #expect((m["usage"] as! [String: Int])["output_tokens"] == 2)
        }
    }

    @Test(arguments: [(529, "overloaded_error"), (429, "rate_limit_error"), (401, "authentication_error"), (500, "api_error")])
    func failuresUseAnthropicsErrorShape(status: Int, type: String) async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(failStatus: status, retryAfter: status == 429 ? 2 : nil)])
        try await SimTest.app(config).test(.router) { client in
            let response = try await Self.post(client, Self.body(prompt: "x"))
            #expect(Int(response.status.code) == status)
            let o = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            #expect(o["type"] as? String == "error")
            #expect((o["error"] as! [String: Any])["type"] as? String == type)
            if status == 429 { #expect(response.headers[.retryAfter] == "2") }
        }
    }

    @Test func contextLengthIsPromptTooLong() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(failCode: "context_length_exceeded")])
        try await SimTest.app(config).test(.router) { client in
            let response = try await Self.post(client, Self.body(prompt: "x"))
            #expect(response.status == .badRequest)
            let e = (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any])["error"] as! [String: Any]
            #expect(e["type"] as? String == "invalid_request_error")
            #expect((e["message"] as? String)?.contains("prompt is too long") == true)
        }
    }

    @Test func streamFaultsApply() async throws {
        let config = SimConfig(port: 0, behaviours: ["*": SimBehaviour(answer: "a b c", malformedAfterTokens: 1, omitDone: true)])
        try await SimTest.app(config).test(.router) { client in
            let events = Self.events(try await Self.post(client, Self.body(prompt: "x", stream: true)).body)
            #expect(!events.map(\.0).contains("message_stop"))
            #expect(events.filter { (try? JSONSerialization.jsonObject(with: Data($0.1.utf8))) == nil }.count == 1)
            let attempts = try await client.execute(uri: "/sim/attempts", method: .get)
            #expect(try SimTest.decode([String: Int].self, attempts.body) == ["claude-x": 1])
        }
    }

    @Test func requiresMaxTokensAndVersion() async throws {
        try await SimTest.app().test(.router) { client in
            let noMax = try await client.execute(uri: "/v1/messages", method: .post,
                                                 headers: [HTTPField.Name("anthropic-version")!: "2023-06-01"],
                                                 body: ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#))
            #expect(noMax.status == .badRequest)
            let noVersion = try await client.execute(uri: "/v1/messages", method: .post, body: Self.body(prompt: "x"))
            #expect(noVersion.status == .badRequest)
        }
    }
}

/// The judge rubrics over the Messages API use the replay file as the chat endpoint does.
@Suite struct MessagesJudgeReplayTests {
    @Test func aGradeOverMessagesFollowsTheRecordedCorrectness() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("replay.jsonl")
        try Data(#"{"id":"g/1","prompt":"How many eggs?","responses":{"mixtral":"The answer is 16.","gpt-4":"The answer is 18."},"scores":{"mixtral":0,"gpt-4":1}}"#.utf8)
            .write(to: file)
        let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
            "model": "claude-x", "max_tokens": 50, "system": "[triage-judge] triage.grade.v1\nGrade.",
            "messages": [["role": "user", "content": "[Question]\nHow many eggs?\n[Answer]\nThe answer is 16."]],
        ] as [String: Any]))
        try await SimTest.app(SimConfig(port: 0, replayFile: file.path)).test(.router) { client in
            let response = try await MessagesEndpointTests.post(client, body)
            #expect(response.status == .ok)
            let m = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            let content = m["content"] as? [[String: Any]]
            // The recorded answer scored 0: grade 2 (without the replay the rating rules gave 1).
            #expect(content?.first?["text"] as? String == "{\"rating\": 2}", "\(m)")
        }
    }
}
