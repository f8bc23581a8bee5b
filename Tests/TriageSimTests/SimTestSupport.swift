import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TriageSim

/// Shapes the tests decode responses into.
struct Completion: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable { var role: String; var content: String }
        var index: Int
        var message: Message
        var finish_reason: String
    }
    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage
}

struct Usage: Decodable, Equatable {
    var prompt_tokens: Int
    var completion_tokens: Int
    var total_tokens: Int
}

struct Chunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable { var role: String?; var content: String? }
        var index: Int
        var delta: Delta
        var finish_reason: String?
    }
    var id: String
    var object: String
    var model: String
    var choices: [Choice]
    var usage: Usage?
}

struct ErrorBody: Decodable {
    struct Detail: Decodable { var message: String; var type: String; var code: String? }
    var error: Detail
}

enum SimTest {
    static func app(_ config: SimConfig = SimConfig(port: 0)) throws -> some ApplicationProtocol {
        var logger = Logger(label: "triage-sim-test")
        logger.logLevel = .warning
        return try buildSimApplication(config: config, logger: logger)
    }

    /// A chat request body.
    static func chatBody(
        model: String = "sim-small",
        prompt: String,
        stream: Bool = false,
        includeUsage: Bool? = nil,
        maxTokens: Int? = nil
    ) -> ByteBuffer {
        var object: [String: Any] = [
            "model": model,
            "messages": [
                ["role": "system", "content": "You are helpful."],
                ["role": "user", "content": prompt],
            ],
        ]
        if stream { object["stream"] = true }
        if let includeUsage { object["stream_options"] = ["include_usage": includeUsage] }
        if let maxTokens { object["max_tokens"] = maxTokens }
        let data = try! JSONSerialization.data(withJSONObject: object)
        return ByteBuffer(bytes: data)
    }

    static func chat(_ client: some TestClientProtocol, _ body: ByteBuffer) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/chat/completions",
            method: .post,
            headers: [.contentType: "application/json"],
            body: body
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// The `data:` payloads of a server-sent event stream.
    static func events(_ buffer: ByteBuffer) -> [String] {
        let text = String(buffer: buffer)
        return text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
            event.hasPrefix("data: ") ? String(event.dropFirst(6)) : "<not data> " + event
        }
    }

    static func setBehaviours(_ client: some TestClientProtocol, _ json: String) async throws {
        let response = try await client.execute(
            uri: "/sim/behaviours", method: .post,
            headers: [.contentType: "application/json"], body: ByteBuffer(string: json)
        )
        precondition(response.status == .ok, "setting behaviours failed: \(response.status)")
    }
}
