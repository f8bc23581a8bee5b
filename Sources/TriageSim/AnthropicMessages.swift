import Foundation

/// The parts of an Anthropic Messages API request that the simulated provider reads.
struct MessagesRequest: Decodable, Sendable {
    struct Block: Decodable, Sendable {
        var type: String
        var text: String?
        /// It carries a `cache_control` mark (a prompt-cache breakpoint).
        var marked = false
        private enum CodingKeys: String, CodingKey {
            case type, text
            case cacheControl = "cache_control"
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.type = try c.decode(String.self, forKey: .type)
            self.text = try c.decodeIfPresent(String.self, forKey: .text)
            self.marked = try c.hasCacheControl(.cacheControl)
        }
    }

    /// A string, or content blocks whose `text` parts count.
    struct Content: Decodable, Sendable {
        var text: String
        /// It holds a `tool_result` block.
        var hasToolResult = false
        /// The blocks' texts, each with whether it is marked for the prompt cache (a string is one unmarked block).
        var blocks: [(text: String, marked: Bool)] = []
        init(text: String) { self.text = text; self.blocks = [(text, false)] }
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self.text = s
                self.blocks = [(s, false)]
            } else {
                let blocks = try c.decode([Block].self)
                self.text = blocks.filter { $0.type == "text" }.compactMap(\.text).joined()
                self.hasToolResult = blocks.contains { $0.type == "tool_result" }
                self.blocks = blocks.map { ($0.type == "text" ? $0.text ?? "" : "", $0.marked) }
            }
        }
    }

    /// One of `tools`: `{"name", "description", "input_schema"}`.
    struct Tool: Decodable, Sendable {
        var name: String
        var inputSchema: SimToolSchema?
        /// It carries a `cache_control` mark.
        var marked = false
        private enum CodingKeys: String, CodingKey {
            case name
            case inputSchema = "input_schema"
            case cacheControl = "cache_control"
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try c.decode(String.self, forKey: .name)
            self.inputSchema = try c.decodeIfPresent(SimToolSchema.self, forKey: .inputSchema)
            self.marked = try c.hasCacheControl(.cacheControl)
        }
    }

    /// `tool_choice`: `{"type": "auto" | "any" | "none" | "tool", "name"}`.
    struct ToolChoice: Decodable, Sendable {
        var type: String
        var name: String?
    }

    struct Message: Decodable, Sendable {
        var role: String
        var content: Content
    }

    var model: String
    var messages: [Message]
    var system: Content?
    var maxTokens: Int
    var stream: Bool?
    var tools: [Tool]?
    var toolChoice: ToolChoice?

    private enum CodingKeys: String, CodingKey {
        case model, messages, system, stream, tools
        case maxTokens = "max_tokens"
        case toolChoice = "tool_choice"
    }

    /// The tool call the simulated model makes instead of a text answer, if any (see ``SimToolCall``).
    var toolCall: SimToolCall? {
        let offered = (tools ?? []).map { SimTool(name: $0.name, properties: $0.inputSchema?.properties ?? [], required: $0.inputSchema?.required) }
        return SimToolCall.decide(tools: offered, forced: toolChoice?.type == "tool" ? toolChoice?.name : nil, none: toolChoice?.type == "none",
                                  afterToolResult: messages.last?.content.hasToolResult == true)
    }

    /// The conversation as the OpenAI handler sees it (system prompt first), for shared accounting.
    var chatMessages: [ChatRequest.Message] {
        (system.map { [ChatRequest.Message(role: "system", text: $0.text)] } ?? [])
            + messages.map { ChatRequest.Message(role: $0.role, text: $0.content.text) }
    }

    /// The prompt's prefixes that end at a `cache_control` mark, in order (tools, then the system
    /// prompt, then the messages, as Anthropic orders a prompt): each prefix's hash (with the model)
    /// and its tokens, counted as ``SimTokens/promptTokens(_:)`` counts the whole prompt.
    var cacheBreakpoints: [SimPromptCache.Breakpoint] {
        var hasher = FNV1a()
        hasher.combine(model.utf8)
        var bytes = 0
        var messagesSeen = 0
        var out: [SimPromptCache.Breakpoint] = []
        func add(_ text: String, separator: UInt8, marked: Bool) {
            hasher.combine(CollectionOfOne(separator))
            hasher.combine(text.utf8)
            bytes += text.utf8.count
            if marked { out.append(.init(key: hasher.value, tokens: (bytes + 3) / 4 + 4 * messagesSeen)) }
        }
        for tool in tools ?? [] { add(tool.name, separator: 0x01, marked: tool.marked) }
        if let system {
            messagesSeen += 1
            for block in system.blocks { add(block.text, separator: 0x02, marked: block.marked) }
        }
        for message in messages {
            messagesSeen += 1
            hasher.combine(message.role.utf8)
            for block in message.content.blocks { add(block.text, separator: 0x03, marked: block.marked) }
        }
        return out
    }

    var lastUserText: Substring {
        let text = self.messages.last(where: { $0.role == "user" })?.content.text ?? ""
        return text.trimmingSimWhitespace()
    }
}

/// Anthropic `usage`: `input_tokens` leaves out the prompt tokens read from or written to the cache.
struct MessagesUsage: Encodable, Sendable {
    var inputTokens: Int
    var outputTokens: Int
    var cacheReadInputTokens = 0
    var cacheCreationInputTokens = 0
    private enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
    }
}

/// A Messages API `message` object.
struct MessagesResponse: Encodable, Sendable {
    /// A `text` block, or a `tool_use` block (`id`, `name`, `input`).
    struct Block: Encodable, Sendable {
        var type = "text"
        var text: String?
        var id: String?
        var name: String?
        var input: SimToolInput?

        init(text: String) { self.text = text }

        init(toolUse call: SimToolCall, input: Bool = true) {
            type = "tool_use"
            id = call.id
            name = call.name
            self.input = input ? call.input : SimToolInput(arguments: [])
        }
    }

    var id: String
    var type = "message"
    var role = "assistant"
    var model: String
    var content: [Block]
    var stopReason: String?
    var stopSequence: String?
    var usage: MessagesUsage

    private enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.id, forKey: .id)
        try c.encode(self.type, forKey: .type)
        try c.encode(self.role, forKey: .role)
        try c.encode(self.model, forKey: .model)
        try c.encode(self.content, forKey: .content)
        try c.encode(self.stopReason, forKey: .stopReason)  // explicit null, as Anthropic sends
        try c.encode(self.stopSequence, forKey: .stopSequence)
        try c.encode(self.usage, forKey: .usage)
    }

    init(_ answer: SimAnswer, streaming: Bool = false) {
        self.id = answer.id.replacingOccurrences(of: "chatcmpl-sim-", with: "msg_sim_")
        self.model = answer.model
        self.content = streaming ? [] : [answer.toolCall.map { Block(toolUse: $0) } ?? Block(text: answer.content)]
        self.stopReason = streaming ? nil : MessagesResponse.stopReason(answer.finishReason)
        let u = answer.usage
        self.usage = MessagesUsage(inputTokens: u.promptTokens - u.cachedTokens - u.cacheWriteTokens, outputTokens: streaming ? 1 : u.completionTokens,
                                   cacheReadInputTokens: u.cachedTokens, cacheCreationInputTokens: u.cacheWriteTokens)
    }

    static func stopReason(_ finishReason: String) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls": "tool_use"
        default: "end_turn"
        }
    }
}

/// One event of an Anthropic stream; `type` is also the SSE `event:` name.
enum AnthropicEvent: Encodable, Sendable {
    case messageStart(SimAnswer)
    /// A text block, or the answer's tool call's `tool_use` block (its input comes in deltas).
    case contentBlockStart(SimToolCall?)
    case ping
    case textDelta(String)
    /// A piece of a tool call's input, as JSON text.
    case inputJSONDelta(String)
    case contentBlockStop
    case messageDelta(SimAnswer)
    case messageStop

    var type: String {
        switch self {
        case .messageStart: "message_start"
        case .contentBlockStart: "content_block_start"
        case .ping: "ping"
        case .textDelta, .inputJSONDelta: "content_block_delta"
        case .contentBlockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SimCodingKey.self)
        try c.encode(self.type, forKey: SimCodingKey("type"))
        switch self {
        case .messageStart(let answer):
            try c.encode(MessagesResponse(answer, streaming: true), forKey: SimCodingKey("message"))
        case .contentBlockStart(let call):
            try c.encode(0, forKey: SimCodingKey("index"))
            try c.encode(call.map { MessagesResponse.Block(toolUse: $0, input: false) } ?? MessagesResponse.Block(text: ""), forKey: SimCodingKey("content_block"))
        case .textDelta(let text):
            try c.encode(0, forKey: SimCodingKey("index"))
            try c.encode(["type": "text_delta", "text": text], forKey: SimCodingKey("delta"))
        case .inputJSONDelta(let json):
            try c.encode(0, forKey: SimCodingKey("index"))
            try c.encode(["type": "input_json_delta", "partial_json": json], forKey: SimCodingKey("delta"))
        case .contentBlockStop:
            try c.encode(0, forKey: SimCodingKey("index"))
        case .messageDelta(let answer):
            var delta = c.nestedContainer(keyedBy: SimCodingKey.self, forKey: SimCodingKey("delta"))
            try delta.encode(MessagesResponse.stopReason(answer.finishReason), forKey: SimCodingKey("stop_reason"))
            try delta.encodeNil(forKey: SimCodingKey("stop_sequence"))
            try c.encode(["output_tokens": answer.usage.completionTokens], forKey: SimCodingKey("usage"))
        case .ping, .messageStop:
            break
        }
    }
}

/// Anthropic's error body: `{"type":"error","error":{"type":"overloaded_error","message":"..."}}`.
struct AnthropicErrorBody: Encodable, Sendable {
    struct Detail: Encodable, Sendable {
        var type: String
        var message: String
    }

    var type = "error"
    var error: Detail

    /// The error for an HTTP status (and an injected OpenAI code, worded as Anthropic words it).
    init(status: Int, message: String, code: String? = nil) {
        let type: String =
            switch status {
            case 400, 422: "invalid_request_error"
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429: "rate_limit_error"
            case 529, 503: "overloaded_error"
            default: "api_error"
            }
        let text: String =
            switch code {
            case "context_length_exceeded"?: "prompt is too long: 210000 tokens > 200000 maximum"
            case "content_policy_violation"?: "Output blocked by content filtering policy"
            default: message
            }
        self.error = Detail(type: type, message: text)
    }
}

extension KeyedDecodingContainer {
    /// Whether the object has a non-null `cache_control` under `key` (a prompt-cache breakpoint).
    func hasCacheControl(_ key: Key) throws -> Bool {
        try contains(key) && !decodeNil(forKey: key)
    }
}
