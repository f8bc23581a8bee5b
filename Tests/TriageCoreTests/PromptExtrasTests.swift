import Testing
import TriageCore

/// What a request reserves and counts beside its message texts: tool definitions, earlier tool
/// calls, images, a response schema and `n` choices. Without them an agent request with a large
/// tool schema reserved a fraction of what the provider charges for it.
@Suite struct PromptExtrasTests {
    private func request(_ extra: [String: JSONValue] = [:], messages: [JSONValue]? = nil) throws -> ChatRequest {
        var body: [String: JSONValue] = [
            "model": .string("auto"),
            "messages": .array(messages ?? [.object(["role": .string("user"), "content": .string("What is the weather in Paris?")])]),
        ]
        body.merge(extra) { _, new in new }
        return try ChatRequest(body: .object(body))
    }

    /// A function with `count` string properties, each with a long description.
    private func function(properties count: Int) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for i in 0..<count {
            properties["field_\(i)"] = .object(["type": .string("string"),
                                                "description": .string(String(repeating: "a property description ", count: 4))])
        }
        return .object(["name": .string("lookup"), "parameters": .object(["type": .string("object"), "properties": .object(properties)])])
    }

    /// `tools` offering one such function.
    private func tools(properties count: Int) -> JSONValue {
        .array([.object(["type": .string("function"), "function": function(properties: count)])])
    }

    @Test func aPlainTextRequestHasNoExtras() throws {
        let chat = try request()
        #expect(chat.nonTextPromptTokens == 0)
        #expect(TokenEstimate.promptTokens(chat) == TokenEstimate.promptTokens(chat.messages))
        #expect(chat.choices == 1)
    }

    @Test func toolDefinitionsCountAtAboutFourBytesAToken() throws {
        let tools = tools(properties: 40)
        let chat = try request(["tools": tools])
        let bytes = tools.encoded().count
        #expect(bytes > 4_000)
        #expect(chat.nonTextPromptTokens == (bytes + 3) / 4)
        #expect(TokenEstimate.promptTokens(chat) == TokenEstimate.promptTokens(chat.messages) + (bytes + 3) / 4)
        // Legacy `functions` count the same way.
        let legacy = try request(["functions": .array([function(properties: 40)])])
        #expect(legacy.nonTextPromptTokens > 1_000)
    }

    @Test func theWorstCaseReservationCoversTheToolSchema() throws {
        let price = Price(inputPerMTok: 1, outputPerMTok: 1)
        let plain = CostEstimate.worstCase(try request(["max_tokens": .int(10)]), price: price, defaultMaxTokens: 4096)
        let withTools = CostEstimate.worstCase(try request(["max_tokens": .int(10), "tools": tools(properties: 40)]), price: price, defaultMaxTokens: 4096)
        // About 1,100 tokens of schema at $1 per million tokens, padded by a quarter.
        #expect(withTools.nanoUSD - plain.nanoUSD > 1_000 * 1_000)
    }

    @Test func earlierToolCallsCount() throws {
        let arguments = String(repeating: "x", count: 2_000)
        let call: JSONValue = .object(["id": .string("call_1"), "type": .string("function"),
                                       "function": .object(["name": .string("lookup"), "arguments": .string(arguments)])])
        let chat = try request(messages: [
            .object(["role": .string("user"), "content": .string("Look it up.")]),
            .object(["role": .string("assistant"), "content": .null, "tool_calls": .array([call])]),
            .object(["role": .string("tool"), "tool_call_id": .string("call_1"), "content": .string("sunny")]),
        ])
        #expect(chat.nonTextPromptTokens >= 500)
        #expect(chat.nonTextPromptTokens < 600)
    }

    @Test func imagesCountByDetail() throws {
        func image(_ detail: String?) -> JSONValue {
            var url: [String: JSONValue] = ["url": .string("data:image/png;base64,iVBORw0KGgo=")]
            if let detail { url["detail"] = .string(detail) }
            return .object(["type": .string("image_url"), "image_url": .object(url)])
        }
        let chat = try request(messages: [.object(["role": .string("user"), "content": .array([
            .object(["type": .string("text"), "text": .string("What is in these pictures?")]), image(nil), image("high"), image("low"),
        ])])])
        #expect(chat.nonTextPromptTokens == 1_600 + 1_600 + 85)
        #expect(chat.messages[0].text == "What is in these pictures?")
    }

    @Test func aJSONSchemaResponseFormatCountsAndJSONObjectDoesNot() throws {
        let schema: JSONValue = .object(["type": .string("json_schema"), "json_schema": .object([
            "name": .string("answer"), "schema": .object(["type": .string("object"), "description": .string(String(repeating: "s", count: 400))]),
        ])])
        #expect(try request(["response_format": schema]).nonTextPromptTokens > 100)
        #expect(try request(["response_format": .object(["type": .string("json_object")])]).nonTextPromptTokens == 0)
    }

    @Test func eachChoiceIsReservedAndCounted() throws {
        let price = Price(inputPerMTok: 0, outputPerMTok: 1)
        let one = try request(["max_tokens": .int(1_000)])
        let three = try request(["max_tokens": .int(1_000), "n": .int(3)])
        #expect(three.choices == 3)
        #expect(CostEstimate.worstCase(three, price: price, defaultMaxTokens: 4096).nanoUSD
                == 3 * CostEstimate.worstCase(one, price: price, defaultMaxTokens: 4096).nanoUSD)
        #expect(TokenEstimate.rateLimitTokens(three) - TokenEstimate.rateLimitTokens(one) == 2_000)
        #expect(try request(["n": .int(128)]).choices == 128)
    }
}
