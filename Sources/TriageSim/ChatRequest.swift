/// The parts of an OpenAI Chat Completions request that the simulated provider reads.
struct ChatRequest: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var role: String
        /// The text of the message: a string content, or its text parts joined.
        var text: String

        private enum CodingKeys: String, CodingKey { case role, content }

        private struct Part: Decodable {
            var type: String
            var text: String?
        }

        init(role: String, text: String) {
            self.role = role
            self.text = text
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.role = try container.decode(String.self, forKey: .role)
            // An assistant message with tool calls may have no content at all.
            let absent = try !container.contains(.content) || container.decodeNil(forKey: .content)
            if absent {
                self.text = ""
            } else if let string = try? container.decode(String.self, forKey: .content) {
                self.text = string
            } else {
                let parts = try container.decode([Part].self, forKey: .content)
                self.text = parts.lazy.filter { $0.type == "text" }.compactMap(\.text).joined()
            }
        }
    }

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        private enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// One of `tools`: `{"type": "function", "function": {"name", "parameters"}}`.
    struct Tool: Decodable, Sendable {
        struct Function: Decodable, Sendable {
            var name: String
            var parameters: SimToolSchema?
        }
        var function: Function?
    }

    /// `tool_choice`: `"none"`, `"auto"`, `"required"`, or `{"type": "function", "function": {"name"}}`.
    struct ToolChoice: Decodable, Sendable {
        var mode: String?
        var name: String?

        private struct Named: Decodable {
            struct Function: Decodable { var name: String }
            var function: Function
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let mode = try? c.decode(String.self) {
                self.mode = mode
            } else {
                self.name = try c.decode(Named.self).function.name
            }
        }
    }

    /// `response_format`: `{"type": "text" | "json_object"}` or `{"type": "json_schema", "json_schema": {"schema"}}`.
    struct ResponseFormat: Decodable, Sendable {
        struct Spec: Decodable, Sendable { var schema: SimToolSchema? }
        var type: String
        var jsonSchema: Spec?
        private enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    var model: String
    var messages: [Message]
    var stream: Bool?
    var streamOptions: StreamOptions?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var tools: [Tool]?
    var toolChoice: ToolChoice?
    var responseFormat: ResponseFormat?

    private enum CodingKeys: String, CodingKey {
        case model, messages, stream, tools
        case responseFormat = "response_format"
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case toolChoice = "tool_choice"
    }

    /// The tool call the simulated model makes instead of a text answer, if any (see ``SimToolCall``).
    var toolCall: SimToolCall? {
        let offered = (tools ?? []).compactMap { t in
            t.function.map { SimTool(name: $0.name, properties: $0.parameters?.properties ?? [], required: $0.parameters?.required) }
        }
        return SimToolCall.decide(tools: offered, forced: toolChoice?.name, none: toolChoice?.mode == "none",
                                  afterToolResult: messages.last?.role == "tool")
    }

    /// `max_completion_tokens`, else `max_tokens`.
    var tokenLimit: Int? { self.maxCompletionTokens ?? self.maxTokens }

    /// The text of the last user message, trimmed; the key for replay and the seed of generated answers.
    var lastUserText: Substring {
        let text = self.messages.last(where: { $0.role == "user" })?.text ?? self.messages.last?.text ?? ""
        return text.trimmingSimWhitespace()
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace and newlines (no Foundation needed).
    func trimmingSimWhitespace() -> Substring {
        guard let start = self.firstIndex(where: { !$0.isWhitespace }),
              let last = self.lastIndex(where: { !$0.isWhitespace })
        else { return Substring() }
        return Substring(self[start...last])
    }
}
