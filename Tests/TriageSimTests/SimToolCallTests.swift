import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

/// A request that offers tools gets a tool call, in OpenAI's and Anthropic's shapes, whole and
/// streamed, so Triage's handling of agent traffic is tested against the simulated provider.
@Suite struct SimToolCallTests {
    static var weatherSchema: [String: Any] { [
        "type": "object",
        "properties": ["city": ["type": "string"], "days": ["type": "integer"], "unit": ["type": "string"]],
        "required": ["city", "days"],
    ] }

    static func openAIBody(stream: Bool = false, messages: [[String: Any]]? = nil, toolChoice: Any? = nil) -> ByteBuffer {
        var o: [String: Any] = [
            "model": "sim-small",
            "messages": messages ?? [["role": "user", "content": "What will the weather be in Paris?"]],
            "tools": [["type": "function", "function": ["name": "now", "parameters": ["type": "object", "properties": [String: Any]()]]],
                      ["type": "function", "function": ["name": "get_weather", "parameters": weatherSchema]]],
        ]
        if stream { o["stream"] = true }
        if let toolChoice { o["tool_choice"] = toolChoice }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: o))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
    }

    @Test func aWholeAnswerCallsTheNamedToolWithItsRequiredArguments() async throws {
        try await SimTest.app().test(.router) { client in
            let forced: [String: Any] = ["type": "function", "function": ["name": "get_weather"]]
            let response = try await SimTest.chat(client, Self.openAIBody(toolChoice: forced))
            #expect(response.status == .ok)
            let choice = (try Self.json(response.body)["choices"] as! [[String: Any]])[0]
            #expect(choice["finish_reason"] as? String == "tool_calls")
            let message = choice["message"] as! [String: Any]
            #expect(message["content"] is NSNull)
            let call = (message["tool_calls"] as! [[String: Any]])[0]
            #expect(call["type"] as? String == "function")
            #expect((call["id"] as? String)?.hasPrefix("call_") == true)
            let function = call["function"] as! [String: Any]
            #expect(function["name"] as? String == "get_weather")
            #expect(function["arguments"] as? String == #"{"city": "sim", "days": 1}"#)
            // Without tool_choice it calls the first tool offered.
            let first = try await SimTest.chat(client, Self.openAIBody())
            let firstCall = (((try Self.json(first.body)["choices"] as! [[String: Any]])[0]["message"] as! [String: Any])["tool_calls"] as! [[String: Any]])[0]
            #expect((firstCall["function"] as! [String: Any])["name"] as? String == "now")
        }
    }

    @Test func afterAToolResultOrWithToolChoiceNoneItAnswersInText() async throws {
        try await SimTest.app().test(.router) { client in
            let afterResult: [[String: Any]] = [
                ["role": "user", "content": "What is the capital of France?"],
                ["role": "assistant", "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "now", "arguments": "{}"]]]],
                ["role": "tool", "tool_call_id": "call_1", "content": "12:00"],
            ]
            for body in [Self.openAIBody(messages: afterResult), Self.openAIBody(toolChoice: "none")] {
                let response = try await SimTest.chat(client, body)
                #expect(response.status == .ok)
                let choice = (try Self.json(response.body)["choices"] as! [[String: Any]])[0]
                #expect(choice["finish_reason"] as? String == "stop")
                #expect(((choice["message"] as! [String: Any])["content"] as? String ?? "").isEmpty == false)
            }
        }
    }

    @Test func aStreamSendsTheCallInPiecesAndMalformedArgumentsAreUnclosed() async throws {
        try await SimTest.app().test(.router) { client in
            let forced: [String: Any] = ["type": "function", "function": ["name": "get_weather"]]
            for malformed in [false, true] {
                try await SimTest.setBehaviours(client, malformed ? #"{"*": {"tool_args_malformed": true}}"# : "{}")
                let response = try await SimTest.chat(client, Self.openAIBody(stream: true, toolChoice: forced))
                let events = SimTest.events(response.body)
                #expect(events.last == "[DONE]")
                var name = "", arguments = "", finish: String?, pieces = 0
                for event in events.dropLast() {
                    let choice = ((try JSONSerialization.jsonObject(with: Data(event.utf8)) as! [String: Any])["choices"] as! [[String: Any]]).first
                    finish = (choice?["finish_reason"] as? String) ?? finish
                    for call in ((choice?["delta"] as? [String: Any])?["tool_calls"] as? [[String: Any]]) ?? [] {
                        let f = call["function"] as! [String: Any]
                        name += f["name"] as? String ?? ""
                        arguments += f["arguments"] as? String ?? ""
                        pieces += 1
                    }
                }
                #expect(name == "get_weather")
                #expect(arguments == (malformed ? #"{"city": "sim", "days": 1"# : #"{"city": "sim", "days": 1}"#))
                #expect(pieces >= 4, "the call's id and name, then its arguments in pieces")
                #expect(finish == "tool_calls")
            }
        }
    }

    @Test func anthropicToolUseWholeAndStreamed() async throws {
        try await SimTest.app().test(.router) { client in
            func body(stream: Bool, messages: [[String: Any]]? = nil) -> ByteBuffer {
                var o: [String: Any] = ["model": "claude-x", "max_tokens": 100,
                                        "messages": messages ?? [["role": "user", "content": "Weather in Paris?"]],
                                        "tools": [["name": "get_weather", "input_schema": Self.weatherSchema]],
                                        "tool_choice": ["type": "tool", "name": "get_weather"]]
                if stream { o["stream"] = true }
                return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: o))
            }
            let whole = try Self.json(try await MessagesEndpointTests.post(client, body(stream: false)).body)
            #expect(whole["stop_reason"] as? String == "tool_use")
            let block = (whole["content"] as! [[String: Any]])[0]
            #expect(block["type"] as? String == "tool_use")
            #expect(block["name"] as? String == "get_weather")
            #expect((block["input"] as? [String: Any])?["city"] as? String == "sim")
            #expect((block["input"] as? [String: Any])?["days"] as? Int == 1)

            let events = MessagesEndpointTests.events(try await MessagesEndpointTests.post(client, body(stream: true)).body)
            let start = events.first { $0.0 == "content_block_start" }.map { try! JSONSerialization.jsonObject(with: Data($0.1.utf8)) as! [String: Any] }
            #expect((start?["content_block"] as? [String: Any])?["type"] as? String == "tool_use")
            let partial = events.filter { $0.0 == "content_block_delta" }.map { e -> String in
                let delta = (try! JSONSerialization.jsonObject(with: Data(e.1.utf8)) as! [String: Any])["delta"] as! [String: Any]
                #expect(delta["type"] as? String == "input_json_delta")
                return delta["partial_json"] as? String ?? ""
            }.joined()
            #expect(partial == #"{"city": "sim", "days": 1}"#)
            #expect(events.contains { $0.0 == "message_delta" && $0.1.contains(#""stop_reason":"tool_use""#) })

            // Once the conversation holds the tool's result, the model answers in text.
            let afterResult: [[String: Any]] = [
                ["role": "user", "content": "Weather in Paris?"],
                ["role": "assistant", "content": [["type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": ["city": "Paris", "days": 1]]]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"]]],
            ]
            let text = try Self.json(try await MessagesEndpointTests.post(client, body(stream: false, messages: afterResult)).body)
            #expect(text["stop_reason"] as? String == "end_turn")
            #expect((text["content"] as! [[String: Any]])[0]["type"] as? String == "text")
        }
    }
}
