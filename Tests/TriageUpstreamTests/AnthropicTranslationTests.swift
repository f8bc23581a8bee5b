import Foundation
import Testing
import TriageCore
@testable import TriageUpstream

@Suite struct AnthropicTranslationTests {
    func json(_ text: String) -> JSONValue { try! JSONValue.parse(Array(text.utf8)) }

    // MARK: Request

    /// A request in OpenAI's shape with LiteLLM-style `cache_control` marks, or none.
    func cacheRequest(marked: Bool) -> JSONValue {
        let mark = marked ? #","cache_control":{"type":"ephemeral"}"# : ""
        return json("""
        {"model":"claude-x","tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object"}}},
                                     {"type":"function","function":{"name":"b","parameters":{"type":"object"}}\(mark)}],
         "messages":[{"role":"system","content":[{"type":"text","text":"Long instructions."\(mark)},{"type":"text","text":"More."}]},
                     {"role":"user","content":"first"},{"role":"assistant","content":"ok"},
                     {"role":"user","content":[{"type":"text","text":"second"\(mark)},{"type":"text","text":"third"}]}]}
        """)
    }

    @Test func cacheControlMarksPassThrough() {
        let body = AnthropicRequest.body(fromOpenAI: cacheRequest(marked: true))
        let ephemeral: JSONValue = .object(["type": .string("ephemeral")])
        #expect(body["tools"]?.arrayValue?.map { $0["cache_control"] } == [nil, ephemeral])
        let system = body["system"]?.arrayValue ?? []
        #expect(system.map { $0["text"]?.stringValue } == ["Long instructions.", "More."], "a marked system prompt goes as blocks: \(body["system"].map { "\($0)" } ?? "nil")")
        #expect(system.map { $0["cache_control"] } == [ephemeral, nil])
        let last = body["messages"]?.arrayValue?.last?["content"]?.arrayValue ?? []
        #expect(last.map { $0["cache_control"] } == [ephemeral, nil])
        // The same marks whatever the mode: a request that marks its own prompt is left as it is.
        #expect(AnthropicRequest.body(fromOpenAI: cacheRequest(marked: true), promptCache: .auto) == body)
    }

    @Test func autoPromptCacheMarksToolsSystemAndTheLastMessage() {
        let plain = AnthropicRequest.body(fromOpenAI: cacheRequest(marked: false))
        #expect(plain["system"] == .string("Long instructions.\n\nMore."), "no marks, no mode: as before")
        #expect(!"\(plain)".contains("cache_control"))
        let body = AnthropicRequest.body(fromOpenAI: cacheRequest(marked: false), promptCache: .auto)
        let ephemeral: JSONValue = .object(["type": .string("ephemeral")])
        #expect(body["tools"]?.arrayValue?.map { $0["cache_control"] } == [nil, ephemeral])
        #expect(body["system"]?.arrayValue?.map { $0["cache_control"] } == [nil, ephemeral])
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.dropLast().allSatisfy { !"\($0)".contains("cache_control") })
        #expect(messages.last?["content"]?.arrayValue?.map { $0["cache_control"] } == [nil, ephemeral])
        // Three marks at most: Anthropic allows four.
        #expect("\(body)".components(separatedBy: "cache_control").count - 1 == 3)
    }

    @Test func requestTranslation() {
        let body = AnthropicRequest.body(fromOpenAI: json("""
        {"model":"claude-x","temperature":1.5,"top_p":0.9,"stop":"END","user":"u1","stream":true,
         "messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":"Use SI units."},
                     {"role":"user","content":"hi"},{"role":"user","content":[{"type":"text","text":"there"}]},
                     {"role":"assistant","content":"hello"},{"role":"user","content":"bye"}]}
        """))
        #expect(body["model"] == .string("claude-x"))
        #expect(body["system"] == .string("Be brief.\n\nUse SI units."))
        #expect(body["max_tokens"] == .int(4096))
        #expect(body["stop_sequences"] == .array([.string("END")]))
        #expect(body["temperature"] == .double(1))
        #expect(body["top_p"] == .double(0.9))
        #expect(body["stream"] == .bool(true))
        #expect(body["metadata"]?["user_id"] == .string("u1"))
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(messages[0]["content"]?.arrayValue?.count == 2)  // consecutive user turns merged
        #expect(messages[0]["content"]?.arrayValue?[1]["text"] == .string("there"))
    }

    @Test func maxTokensAndStopListsCarryOver() {
        let a = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","max_tokens":50,"stop":["x","y"],"messages":[{"role":"user","content":"q"}]}"#))
        #expect(a["max_tokens"] == .int(50))
        #expect(a["stop_sequences"] == .array([.string("x"), .string("y")]))
        let b = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","max_completion_tokens":70,"messages":[{"role":"user","content":"q"}]}"#))
        #expect(b["max_tokens"] == .int(70))
        #expect(b["system"] == nil)
    }

    @Test func toolsAndToolTurns() {
        let body = AnthropicRequest.body(fromOpenAI: json("""
        {"model":"m","tool_choice":"required",
         "tools":[{"type":"function","function":{"name":"get","description":"d","parameters":{"type":"object"}}}],
         "messages":[{"role":"user","content":"q"},
                     {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get","arguments":"{\\"a\\":1}"}}]},
                     {"role":"tool","tool_call_id":"c1","content":"42"}]}
        """))
        #expect(body["tools"]?.arrayValue?.first?["input_schema"] == .object(["type": .string("object")]))
        #expect(body["tool_choice"] == .object(["type": .string("any")]))
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages[1]["content"]?.arrayValue?.first?["type"] == .string("tool_use"))
        #expect(messages[1]["content"]?.arrayValue?.first?["input"]?["a"] == .int(1))
        #expect(messages[2]["role"] == .string("user"))
        #expect(messages[2]["content"]?.arrayValue?.first?["tool_use_id"] == .string("c1"))
    }

    @Test func parallelToolCallsFalseDisablesParallelToolUse() {
        let tools = #""tools":[{"type":"function","function":{"name":"get","parameters":{"type":"object"}}}]"#
        let auto = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],\#(tools),"parallel_tool_calls":false}"#))
        #expect(auto["tool_choice"] == .object(["type": .string("auto"), "disable_parallel_tool_use": .bool(true)]))
        let any = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],\#(tools),"tool_choice":"required","parallel_tool_calls":false}"#))
        #expect(any["tool_choice"] == .object(["type": .string("any"), "disable_parallel_tool_use": .bool(true)]))
        let none = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],\#(tools),"tool_choice":"none","parallel_tool_calls":false}"#))
        #expect(none["tool_choice"] == .object(["type": .string("none")]))
        let parallel = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],\#(tools),"parallel_tool_calls":true}"#))
        #expect(parallel["tool_choice"] == nil)
    }

    /// `response_format` becomes a tool the model must call, whose input is the answer.
    @Test func responseFormatBecomesAForcedTool() {
        let schema = #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#
        let body = AnthropicRequest.body(fromOpenAI: json("""
        {"model":"m","messages":[{"role":"user","content":"q"}],
         "response_format":{"type":"json_schema","json_schema":{"name":"place","strict":true,"schema":\(schema)}}}
        """))
        #expect(body["tools"]?.arrayValue?.count == 1)
        #expect(body["tools"]?.arrayValue?.first?["name"] == .string("place"))
        #expect(body["tools"]?.arrayValue?.first?["input_schema"] == json(schema))
        #expect(body["tool_choice"] == .object(["type": .string("tool"), "name": .string("place")]))
        #expect(body["system"] == nil)

        // json_object: any object; a schema name that is no valid tool name gives way to json_answer.
        let object = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],"response_format":{"type":"json_object"}}"#))
        #expect(object["tools"]?.arrayValue?.first?["input_schema"] == .object(["type": .string("object")]))
        #expect(object["tool_choice"]?["name"] == .string("json_answer"))
        #expect(AnthropicRequest.formatTool(for: json(#"{"response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{"type":"object"}}}}"#))?.name == "json_answer")

        // No tool for text, nor for a schema whose top level is not an object.
        for format in [#"{"type":"text"}"#, #"{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"array"}}}"#] {
            let b = AnthropicRequest.body(fromOpenAI: json(#"{"model":"m","messages":[{"role":"user","content":"q"}],"response_format":\#(format)}"#))
            #expect(b["tools"] == nil && b["tool_choice"] == nil, "\(format)")
        }

        // Beside the request's own tools: offered, not forced, and the system prompt says when to call it;
        // a schema named like one of them is renamed.
        let mixed = AnthropicRequest.body(fromOpenAI: json("""
        {"model":"m","messages":[{"role":"user","content":"q"}],
         "tools":[{"type":"function","function":{"name":"place","parameters":{"type":"object"}}}],
         "response_format":{"type":"json_schema","json_schema":{"name":"place","schema":\(schema)}}}
        """))
        #expect(mixed["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["place", "json_answer"])
        #expect(mixed["tool_choice"] == nil)
        #expect(mixed["system"]?.stringValue?.contains("`json_answer`") == true)
    }

    // MARK: Response

    @Test(arguments: [("end_turn", "stop"), ("max_tokens", "length"), ("stop_sequence", "stop"), ("tool_use", "tool_calls"), ("refusal", "content_filter")])
    func finishReasons(stop: String, finish: String) {
        #expect(AnthropicResponse.finishReason(stop) == finish)
    }

    @Test func messageBecomesAChatCompletion() throws {
        let c = try #require(AnthropicResponse.completion(fromMessage: json("""
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
         "content":[{"type":"text","text":"Hello"},{"type":"tool_use","id":"t1","name":"get","input":{"a":1}}],
         "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":2}}
        """), created: 7))
        #expect(c.usage == Usage(promptTokens: 12, completionTokens: 5, cachedTokens: 2), "cache reads are prompt tokens, priced apart")
        #expect(c.body["usage"]?["prompt_tokens_details"]?["cached_tokens"] == .int(2))
        #expect(c.body["object"] == .string("chat.completion"))
        let choice = try #require(c.body["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == .string("tool_calls"))
        #expect(choice["message"]?["content"] == .string("Hello"))
        #expect(choice["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == .string(#"{"a":1}"#))
        #expect(c.body["usage"]?["total_tokens"] == .int(17))
        #expect(AnthropicResponse.completion(fromMessage: json(#"{"type":"error"}"#)) == nil)
    }

    @Test func theFormatToolsCallIsTheAnswersText() throws {
        let c = try #require(AnthropicResponse.completion(fromMessage: json("""
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
         "content":[{"type":"text","text":"Here it is:"},{"type":"tool_use","id":"t1","name":"place","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":5}}
        """), formatTool: "place"))
        let choice = try #require(c.body["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == .string("stop"))
        #expect(choice["message"]?["content"] == .string(#"{"city":"Paris"}"#))
        #expect(choice["message"]?["tool_calls"] == nil)

        // Another tool's call beside it stays a call.
        let both = try #require(AnthropicResponse.completion(fromMessage: json("""
        {"type":"message","content":[{"type":"tool_use","id":"t0","name":"get","input":{}},{"type":"tool_use","id":"t1","name":"place","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}
        """), formatTool: "place"))
        #expect(both.body["choices"]?.arrayValue?.first?["finish_reason"] == .string("tool_calls"))
        #expect(both.body["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.count == 1)

        // Tool calls with no text: content null, as OpenAI sends it (not "").
        let callsOnly = try #require(AnthropicResponse.completion(fromMessage: json("""
        {"type":"message","content":[{"type":"tool_use","id":"t0","name":"get","input":{}}],
         "stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}
        """)))
        #expect(callsOnly.body["choices"]?.arrayValue?.first?["message"]?["content"] == .null)
        #expect(callsOnly.body["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.count == 1)
    }

    @Test func answersOfOneRequestAskedSeveralTimesJoinIntoItsChoices() throws {
        func answer(_ text: String, _ tokens: Int) -> Completion {
            AnthropicResponse.completion(fromMessage: json("""
            {"id":"msg_\(text)","type":"message","model":"claude-x","content":[{"type":"text","text":"\(text)"}],
             "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":\(tokens)}}
            """))!
        }
        let joined = AnthropicResponse.merged([answer("a", 1), answer("b", 2)])
        let choices = try #require(joined.body["choices"]?.arrayValue)
        #expect(choices.map { $0["index"] } == [.int(0), .int(1)])
        #expect(choices.map { $0["message"]?["content"] } == [.string("a"), .string("b")])
        #expect(joined.body["id"] == .string("msg_a"))
        #expect(joined.usage == Usage(promptTokens: 20, completionTokens: 3))
        #expect(joined.body["usage"]?["total_tokens"] == .int(23))
    }

    // MARK: Stream

    func feed(_ t: inout AnthropicStreamTranslator, _ event: String, _ data: String) throws(AttemptFailure) -> [StreamItem] {
        try t.translate(SSEEvent(event: event, data: data))
    }

    func texts(_ items: [StreamItem]) -> [String] {
        items.compactMap { if case .chunk(_, let j) = $0 { j["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue } else { nil } }
    }

    @Test func streamEventsBecomeChunks() throws {
        var t = AnthropicStreamTranslator(created: 1)
        var items: [StreamItem] = []
        items += try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":25,"output_tokens":1}}}"#)
        items += try feed(&t, "content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#)
        items += try feed(&t, "ping", #"{"type":"ping"}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":"#)  // malformed: skipped
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}"#)
        items += try feed(&t, "content_block_stop", #"{"type":"content_block_stop","index":0}"#)
        items += try feed(&t, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#)
        items += try feed(&t, "message_stop", #"{"type":"message_stop"}"#)
        #expect(texts(items) == ["", "Hel", "lo"])
        #expect(t.malformedEvents == 1)
        guard case .chunk(let data, let first) = items[0] else { Issue.record("no chunk"); return }
        #expect(first["object"] == .string("chat.completion.chunk"))
        #expect(first["id"] == .string("msg_1"))
        #expect(first["choices"]?.arrayValue?.first?["delta"]?["role"] == .string("assistant"))
        #expect(try JSONValue.parse(Array(data.utf8)) == first)
        guard case .chunk(_, let finish) = items[3] else { Issue.record("no finish"); return }
        #expect(finish["choices"]?.arrayValue?.first?["finish_reason"] == .string("stop"))
        guard case .chunk(_, let usage) = items[4] else { Issue.record("no usage"); return }
        #expect(usage["choices"] == .array([]))
        #expect(Usage(openAI: usage["usage"]) == Usage(promptTokens: 25, completionTokens: 15))
        guard case .done = items[5] else { Issue.record("no done"); return }
        #expect(items.count == 6)

        // Cache reads and writes reported at message_start are prompt tokens, kept apart for pricing.
        var cached = AnthropicStreamTranslator(created: 1)
        _ = try feed(&cached, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":25,"cache_read_input_tokens":1000,"cache_creation_input_tokens":200,"output_tokens":1}}}"#)
        _ = try feed(&cached, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"#)
        #expect(cached.usage == Usage(promptTokens: 1225, completionTokens: 15, cachedTokens: 1000, cacheWriteTokens: 200))
        #expect(try t.end().isEmpty)
    }

    @Test func toolUseStreamsAsToolCalls() throws {
        var t = AnthropicStreamTranslator(created: 1)
        _ = try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":1}}}"#)
        let start = try feed(&t, "content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"get","input":{}}}"#)
        let delta = try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#)
        guard case .chunk(_, let s) = start[0], case .chunk(_, let d) = delta[0] else { Issue.record("no chunks"); return }
        #expect(s["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == .string("get"))
        #expect(d["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == .string(#"{"a":"#))
    }

    @Test func theFormatToolsCallStreamsAsText() throws {
        var t = AnthropicStreamTranslator(formatTool: "place", created: 1)
        var items: [StreamItem] = []
        items += try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":1}}}"#)
        items += try feed(&t, "content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"place","input":{}}}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": "}}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}"#)
        items += try feed(&t, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"#)
        #expect(texts(items) == ["", #"{"city": "#, #""Paris"}"#])
        let deltas = items.compactMap { if case .chunk(_, let j) = $0 { j["choices"]?.arrayValue?.first } else { nil } }
        #expect(deltas.allSatisfy { $0["delta"]?["tool_calls"] == nil })
        #expect(deltas.last?["finish_reason"] == .string("stop"))
    }

    @Test func oneOfSeveralChoicesStreamsUnderItsIndexAndLeavesTheEndToItsCaller() throws {
        var t = AnthropicStreamTranslator(choiceIndex: 2, endsTheStream: false, created: 1)
        var items: [StreamItem] = []
        items += try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":4}}}"#)
        items += try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}"#)
        items += try feed(&t, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}"#)
        items += try feed(&t, "message_stop", #"{"type":"message_stop"}"#)
        #expect(items.count == 3, "no usage chunk, no [DONE]")
        #expect(items.allSatisfy { if case .chunk(_, let j) = $0 { j["choices"]?.arrayValue?.first?["index"] == .int(2) } else { false } })
        #expect(t.stopped && t.usage == Usage(promptTokens: 4, completionTokens: 1))
        let trailer = AnthropicStreamTranslator.trailer(id: "m", model: "x", created: 1, usage: Usage(promptTokens: 8, completionTokens: 2))
        guard trailer.count == 2, case .chunk(_, let u) = trailer[0], case .done = trailer[1] else { Issue.record("\(trailer)"); return }
        #expect(Usage(openAI: u["usage"]) == Usage(promptTokens: 8, completionTokens: 2))
    }

    @Test func streamWithoutMessageStopButFinishedEndsCleanly() throws {
        var t = AnthropicStreamTranslator(created: 1)
        _ = try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":3}}}"#)
        _ = try feed(&t, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4}}"#)
        let end = try t.end()
        #expect(end.count == 2)
        guard case .done = end[1] else { Issue.record("no done"); return }
    }

    @Test func streamCutBeforeTheFinishIsAFailureWithTheBilledUsage() throws {
        var t = AnthropicStreamTranslator(created: 1)
        _ = try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":30,"output_tokens":1}}}"#)
        _ = try feed(&t, "content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#)
        do throws(AttemptFailure) {
            _ = try t.end()
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .streamCut)
            #expect(error.billedUsage == Usage(promptTokens: 30, completionTokens: 1))
        }
    }

    /// Found by `cluster/fuzz anthropic-stream` (its `tool-use` seed): a negative `output_tokens`
    /// in `message_delta` gave a negative usage, so a negative charge.
    @Test func negativeUsageFromTheStreamIsNotBelowZero() throws {
        var t = AnthropicStreamTranslator(created: 0)
        _ = try feed(&t, "message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":10,"output_tokens":0}}}"#)
        _ = try feed(&t, "message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":-5}}"#)
        #expect(t.usage == Usage(promptTokens: 10, completionTokens: 0))
        var u = AnthropicStreamTranslator(created: 0)
        _ = try feed(&u, "message_start", #"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":-7}}}"#)
        #expect(u.usage == Usage(promptTokens: 0, completionTokens: 0))
    }

    @Test func errorEventThrowsTheMappedFailure() throws {
        var t = AnthropicStreamTranslator(created: 1)
        do throws(AttemptFailure) {
            _ = try feed(&t, "error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .serverError)
            #expect(error.status == 529)
            #expect(error.providerError?.code == "overloaded_error")
        }
    }

    // MARK: Errors

    @Test(arguments: [
        (529, "overloaded_error", "Overloaded", AttemptFailure.Kind.serverError),
        (429, "rate_limit_error", "slow down", .rateLimited),
        (401, "authentication_error", "invalid x-api-key", .authError),
        (403, "permission_error", "no", .authError),
        (500, "api_error", "oops", .serverError),
        (400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", .contextLengthExceeded),
        (400, "invalid_request_error", "messages: field required", .clientError),
    ])
    func httpErrorsMapToKinds(status: Int, type: String, message: String, kind: AttemptFailure.Kind) {
        let body = Array(#"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"#.utf8)
        let f = AnthropicError.failure(status: status, headers: status == 429 ? ["retry-after": "3"] : [:], body: body)
        #expect(f.kind == kind)
        #expect(f.status == status)
        #expect(f.providerError?.message == message)
        if status == 429 { #expect(f.retryAfter == 3) }
    }

    @Test func messagesURL() {
        #expect(AnthropicProvider.url(base: "https://api.anthropic.com") == "https://api.anthropic.com/v1/messages")
        #expect(AnthropicProvider.url(base: "http://127.0.0.1:8090/v1/") == "http://127.0.0.1:8090/v1/messages")
    }
}
