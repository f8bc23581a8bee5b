import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

/// The simulated OpenAI API answers a `response_format` request in JSON, as OpenAI's models do, so
/// a cluster on the simulated provider serves JSON-mode traffic from its cheap tier instead of
/// climbing every such request; `ignore_response_format` brings back the weak model's prose.
@Suite struct SimJSONAnswerTests {
    static let prompt = "What will the weather be in Paris?"

    static func body(format: [String: Any], stream: Bool = false, maxTokens: Int? = nil) -> ByteBuffer {
        var o: [String: Any] = ["model": "sim-small", "messages": [["role": "user", "content": prompt]], "response_format": format]
        if stream { o["stream"] = true }
        if let maxTokens { o["max_tokens"] = maxTokens }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: o))
    }

    /// The answer's text, whole or streamed, with its finish reason.
    static func answer(_ client: some TestClientProtocol, _ body: ByteBuffer, stream: Bool) async throws -> (text: String, finish: String?) {
        let response = try await SimTest.chat(client, body)
        #expect(response.status == .ok)
        if stream {
            let chunks = try SimTest.events(response.body).dropLast().map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            let text = choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
            return (text, choices.compactMap { $0["finish_reason"] as? String }.first)
        }
        let choice = (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any])["choices"] as! [[String: Any]]
        return ((choice[0]["message"] as! [String: Any])["content"] as! String, choice[0]["finish_reason"] as? String)
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test(arguments: [false, true])
    func jsonObjectAndJSONSchemaAreAnsweredInJSON(stream: Bool) async throws {
        try await SimTest.app().test(.router) { client in
            let prose = try await Self.answer(client, Self.body(format: ["type": "text"], stream: stream), stream: stream)
            #expect(Self.object(prose.text) == nil, "a text format is answered in prose: \(prose.text)")

            let object = try await Self.answer(client, Self.body(format: ["type": "json_object"], stream: stream), stream: stream)
            #expect(object.finish == "stop")
            #expect(Self.object(object.text)?["answer"] as? String == prose.text, "the prose, in an object: \(object.text)")

            let schema: [String: Any] = ["type": "json_schema", "json_schema": ["name": "forecast", "strict": true, "schema": [
                "type": "object",
                "properties": ["city": ["type": "string"], "celsius": ["type": "number"], "note": ["type": "string"]],
                "required": ["city", "celsius"],
            ]]]
            let typed = try await Self.answer(client, Self.body(format: schema, stream: stream), stream: stream)
            let fields = try #require(Self.object(typed.text), "\(typed.text)")
            #expect(fields["city"] as? String == "sim" && fields["celsius"] as? Double == 1.5, "\(typed.text)")
            #expect(fields["note"] == nil, "only the required properties")
        }
    }

    @Test func aWeakModelCanIgnoreTheFormatAndALimitCutsTheJSON() async throws {
        try await SimTest.app().test(.router) { client in
            let format: [String: Any] = ["type": "json_object"]
            let cut = try await Self.answer(client, Self.body(format: format, maxTokens: 3), stream: false)
            #expect(cut.finish == "length")
            #expect(Self.object(cut.text) == nil, "cut at max_tokens, as a real model's JSON is: \(cut.text)")

            try await SimTest.setBehaviours(client, #"{"sim-small": {"ignore_response_format": true}}"#)
            let ignored = try await Self.answer(client, Self.body(format: format), stream: false)
            #expect(!ignored.text.isEmpty && Self.object(ignored.text) == nil, "\(ignored.text)")
            try await SimTest.setBehaviours(client, #"{"sim-small": {"answer": "not json"}}"#)
            #expect(try await Self.answer(client, Self.body(format: format), stream: false).text == "not json", "a fixed answer is sent as it is")
        }
    }
}
