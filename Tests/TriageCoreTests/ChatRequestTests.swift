import Testing
import TriageCore

@Suite struct ChatRequestTests {
    func parse(_ json: String) throws(TriageError) -> ChatRequest {
        try ChatRequest(bytes: Array(json.utf8))
    }

    func expectInvalid(_ json: String, _ expected: TriageError, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try parse(json) }
    }

    @Test func parsesAMinimalRequest() throws {
        let r = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(r.model == "auto")
        #expect(r.messages == [ChatMessage(role: "user", text: "hi")])
        #expect(r.stream == false)
        #expect(r.maxTokens == nil)
    }

    @Test func validationErrorsNameTheField() {
        expectInvalid(#"[1,2]"#, .invalidField("body", "expected a JSON object"))
        expectInvalid(#"{"messages":[{"role":"user","content":"hi"}]}"#, .missingField("model"))
        expectInvalid(#"{"model":"","messages":[{"role":"user","content":"hi"}]}"#, .invalidField("model", "expected a non-empty string"))
        expectInvalid(#"{"model":7,"messages":[{"role":"user","content":"hi"}]}"#, .invalidField("model", "expected a non-empty string"))
        expectInvalid(#"{"model":"auto"}"#, .missingField("messages"))
        expectInvalid(#"{"model":"auto","messages":[]}"#, .invalidField("messages", "expected a non-empty array"))
        expectInvalid(#"{"model":"auto","messages":"hi"}"#, .invalidField("messages", "expected a non-empty array"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"a"},{"content":"b"}]}"#,
                      .invalidField("messages[1].role", "expected a string"))
        expectInvalid(#"{"model":"auto","messages":["hi"]}"#, .invalidField("messages[0].role", "expected a string"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#,
                      .invalidField("stream", "expected a boolean"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_tokens":0}"#,
                      .invalidField("max_tokens", "expected a positive integer"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_tokens":-5}"#,
                      .invalidField("max_tokens", "expected a positive integer"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5}"#,
                      .invalidField("max_tokens", "expected a positive integer"))
        expectInvalid(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":"10"}"#,
                      .invalidField("max_completion_tokens", "expected a positive integer"))
    }

    @Test func invalidJSONIsReportedAsSuch() {
        #expect {
            try parse(#"{"model":"auto","#)
        } throws: { error in
            guard let e = error as? TriageError, case .invalidJSON = e else { return false }
            return true
        }
    }

    @Test func streamAndMaxTokensAreRead() throws {
        let r = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":true,"max_tokens":64}"#)
        #expect(r.stream)
        #expect(r.maxTokens == 64)
        let nulls = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":null,"max_tokens":null}"#)
        #expect(nulls.stream == false)
        #expect(nulls.maxTokens == nil)
        let newer = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":32,"max_tokens":64}"#)
        #expect(newer.maxTokens == 32)
        let integral = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"max_tokens":16.0}"#)
        #expect(integral.maxTokens == 16)
    }

    @Test func contentMayBeAnArrayOfTextParts() throws {
        let r = try parse("""
        {"model":"auto","messages":[{"role":"user","content":[
          {"type":"text","text":"first"},
          {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
          {"type":"text","text":"second"}
        ]}]}
        """)
        #expect(r.messages[0].text == "first\nsecond")
        #expect(r.query == "first\nsecond")
    }

    @Test func aToolCallingTurnsMissingOrNullContentIsEmptyText() throws {
        let r = try parse(#"{"model":"auto","messages":[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[]},{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}]}"#)
        #expect(r.messages.map(\.text) == ["q", "", ""])
    }

    @Test func queryIsTheLastUserMessage() throws {
        let r = try chatRequest([("system", "sys"), ("user", "first"), ("assistant", "answer"), ("user", "second"), ("assistant", "partial")])
        #expect(r.query == "second")
        // Without any user message, the last message stands in.
        #expect(try chatRequest([("system", "only system")]).query == "only system")
    }

    @Test func systemPromptAndEarlierTurns() throws {
        let plain = try chatRequest([("user", "hi")])
        #expect(!plain.hasSystemPrompt)
        #expect(!plain.hasEarlierTurns)

        let system = try chatRequest([("system", "s"), ("user", "hi")])
        #expect(system.hasSystemPrompt)
        #expect(!system.hasEarlierTurns)

        let developer = try chatRequest([("developer", "d"), ("user", "hi")])
        #expect(developer.hasSystemPrompt)
        #expect(!developer.hasEarlierTurns)

        let turns = try chatRequest([("user", "hi"), ("assistant", "hello"), ("user", "more")])
        #expect(!turns.hasSystemPrompt)
        #expect(turns.hasEarlierTurns)
    }

    @Test func upstreamBodyReplacesTheModelAndKeepsEverythingElse() throws {
        let r = try parse("""
        {"model":"auto","messages":[{"role":"user","content":"hi"}],"temperature":0.2,
         "tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"user":"u1"}
        """)
        let up = r.upstreamBody(model: "gpt-4o-mini")
        #expect(up["model"] == .string("gpt-4o-mini"))
        #expect(up["temperature"] == .double(0.2))
        #expect(up["tools"] == r.body["tools"])
        #expect(up["user"] == .string("u1"))
        #expect(up["messages"] == r.body["messages"])
        #expect(up["stream_options"] == nil)
        #expect(up.objectValue?.count == r.body.objectValue?.count)
        // The request itself is untouched.
        #expect(r.body["model"] == .string("auto"))
    }

    @Test func streamsAskForUsage() throws {
        let r = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        #expect(r.upstreamBody(model: "m")["stream_options"] == .object(["include_usage": .bool(true)]))

        let own = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":false,"x":1}}"#)
        #expect(own.upstreamBody(model: "m")["stream_options"] == .object(["include_usage": .bool(true), "x": .int(1)]))

        let notStreaming = try parse(#"{"model":"auto","messages":[{"role":"user","content":"hi"}],"stream":false}"#)
        #expect(notStreaming.upstreamBody(model: "m")["stream_options"] == nil)
    }
}
