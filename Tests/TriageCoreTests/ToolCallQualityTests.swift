import Testing
@testable import TriageCore

/// An answer that calls a tool has no text: it must pass the checks when its call can be carried
/// out (or every agent request would climb to the top tier and be charged twice), and fail them
/// when it cannot.
@Suite struct ToolCallQualityTests {
    let checker = QualityChecker()

    /// A request offering `get_weather(city: string, required; unit: string)` and `now()`.
    private func request(query: String = "What is the weather in Paris?", responseFormat: JSONValue? = nil) throws -> ChatRequest {
        let weather: JSONValue = .object([
            "type": .string("function"),
            "function": .object([
                "name": .string("get_weather"),
                "parameters": .object([
                    "type": .string("object"),
                    "properties": .object(["city": .object(["type": .string("string")]), "unit": .object(["type": .string("string")])]),
                    "required": .array([.string("city")]),
                ]),
            ]),
        ])
        let now: JSONValue = .object(["type": .string("function"), "function": .object(["name": .string("now")])])
        var body: JSONValue = .object(["model": .string("auto"),
                                       "messages": .array([.object(["role": .string("user"), "content": .string(query)])]),
                                       "tools": .array([weather, now])])
        if let responseFormat { body["response_format"] = responseFormat }
        return try ChatRequest(body: body)
    }

    private func kinds(_ calls: [AnswerToolCall], text: String = "", finish: String = "tool_calls",
                       query: String = "What is the weather in Paris?") throws -> [QualityIssue.Kind] {
        checker.check(answer: text, finishReason: finish, request: try request(query: query), toolCalls: calls).map(\.kind)
    }

    @Test func aWellFormedToolCallWithNoTextPasses() throws {
        #expect(try kinds([AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#)]) == [])
        // Not "too short" for a question that asks for an explanation, nor invalid JSON for a response_format.
        let explain = "Explain in detail why the weather in Paris is mild, step by step."
        #expect(try kinds([AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#)], query: explain) == [])
        let format: JSONValue = .object(["type": .string("json_object")])
        let calls = [AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris", "unit": "C"}"#)]
        #expect(checker.check(answer: "", finishReason: "tool_calls", request: try request(responseFormat: format), toolCalls: calls).isEmpty)
    }

    @Test func aToolWithoutParametersMayHaveEmptyArguments() throws {
        #expect(try kinds([AnswerToolCall(name: "now", arguments: "")]) == [])
        #expect(try kinds([AnswerToolCall(name: "now", arguments: "{}")]) == [])
    }

    @Test func argumentsThatAreNotAJSONObjectFail() throws {
        let issues = checker.check(answer: "", finishReason: "tool_calls", request: try request(),
                                   toolCalls: [AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris""#)])
        #expect(issues.map(\.kind) == [.invalidToolCall])
        #expect(issues.first?.detail.contains("get_weather") == true)
        #expect(try kinds([AnswerToolCall(name: "get_weather", arguments: #"["Paris"]"#)]) == [.invalidToolCall])
        // Cut by max_tokens in the middle of the arguments.
        #expect(try kinds([AnswerToolCall(name: "get_weather", arguments: #"{"city": "Par"#)], finish: "length") == [.invalidToolCall])
    }

    @Test func aRequiredArgumentLeftOutFails() throws {
        let issues = checker.check(answer: "", finishReason: "tool_calls", request: try request(),
                                   toolCalls: [AnswerToolCall(name: "get_weather", arguments: #"{"unit": "C"}"#)])
        #expect(issues.map(\.kind) == [.invalidToolCall])
        #expect(issues.first?.detail.contains("'city'") == true)
    }

    @Test func aFunctionTheRequestDoesNotOfferFails() throws {
        let issues = checker.check(answer: "", finishReason: "tool_calls", request: try request(),
                                   toolCalls: [AnswerToolCall(name: "get_wether", arguments: #"{"city": "Paris"}"#)])
        #expect(issues.map(\.kind) == [.invalidToolCall])
        #expect(issues.first?.detail.contains("get_weather, now") == true)
        #expect(try kinds([AnswerToolCall(name: "", arguments: "{}")]) == [.invalidToolCall])
    }

    @Test func everyCallIsCheckedAndTextBesideThemStillIs() throws {
        let good = AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#)
        let bad = AnswerToolCall(name: "get_weather", arguments: "city=Paris")
        #expect(try kinds([good, bad]) == [.invalidToolCall])
        #expect(try kinds([good], text: "I'm sorry, but I can't help with that request.") == [.refusal])
        #expect(try kinds([good], text: "Let me look that up.") == [])
    }

    @Test func theCheckCanBeTurnedOff() throws {
        let off = QualityChecker(settings: QualitySettings(enabled: Set(QualityIssue.Kind.allCases).subtracting([.invalidToolCall])))
        let calls = [AnswerToolCall(name: "get_weather", arguments: "{")]
        #expect(off.check(answer: "", finishReason: "tool_calls", request: try request(), toolCalls: calls).isEmpty)
    }

    @Test func callsAreReadFromAWholeAnswer() throws {
        let completion = try JSONValue.parse(Array(#"""
            {"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
             "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
                           {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]}}]}
            """#.utf8))
        #expect(AnswerToolCall.calls(inCompletion: completion) == [AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#),
                                                                  AnswerToolCall(name: "now", arguments: "")])
        let legacy = try JSONValue.parse(Array(#"""
            {"choices":[{"message":{"role":"assistant","content":null,"function_call":{"name":"now","arguments":"{}"}}}]}
            """#.utf8))
        #expect(AnswerToolCall.calls(inCompletion: legacy) == [AnswerToolCall(name: "now", arguments: "{}")])
        let text = try JSONValue.parse(Array(#"{"choices":[{"message":{"role":"assistant","content":"Paris."}}]}"#.utf8))
        #expect(AnswerToolCall.calls(inCompletion: text).isEmpty)
    }

    @Test func aStreamsPiecesAddUpToItsCalls() throws {
        var calls = ToolCallAccumulator()
        let deltas = [
            #"{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}"#,
            #"{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}"#,
            #"{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]}"#,
            #"{"tool_calls":[{"index":0,"function":{"arguments":" \"Paris\"}"}}]}"#,
            #"{"content":"text only"}"#,
        ]
        var bytes = 0
        for d in deltas { bytes += calls.add(delta: try JSONValue.parse(Array(d.utf8))) }
        #expect(calls.calls == [AnswerToolCall(name: "get_weather", arguments: #"{"city": "Paris"}"#), AnswerToolCall(name: "now", arguments: "")])
        #expect(bytes == "get_weather".utf8.count + #"{"city": "Paris"}"#.utf8.count + "now".utf8.count)
        let counted = try deltas.reduce(0) { $0 + ToolCallAccumulator.bytes(in: try JSONValue.parse(Array($1.utf8))) }
        #expect(counted == bytes, "another choice's pieces count alike, without being kept")
        var none = ToolCallAccumulator()
        #expect(none.add(delta: try JSONValue.parse(Array(#"{"content":"Paris"}"#.utf8))) == 0)
        #expect(none.isEmpty)
    }
}
