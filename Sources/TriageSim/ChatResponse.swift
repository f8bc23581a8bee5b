/// OpenAI `usage` object, with `prompt_tokens_details.cached_tokens` as OpenAI sends it.
struct ChatUsage: Encodable, Equatable, Sendable {
    var promptTokens: Int
    var completionTokens: Int
    /// Prompt tokens read from the prompt cache (part of `promptTokens`).
    var cachedTokens = 0
    /// Prompt tokens written to the prompt cache (part of `promptTokens`; only Anthropic reports them).
    var cacheWriteTokens = 0
    var totalTokens: Int { self.promptTokens + self.completionTokens }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.promptTokens, forKey: .promptTokens)
        try container.encode(self.completionTokens, forKey: .completionTokens)
        try container.encode(self.totalTokens, forKey: .totalTokens)
        try container.encode(["cached_tokens": self.cachedTokens], forKey: .promptTokensDetails)
    }
}

/// A non-stream `chat.completion` object.
struct ChatCompletion: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role = "assistant"
        /// Null beside tool calls, as OpenAI sends it.
        var content: String?
        var toolCalls: [ToolCall]?

        private enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(content, forKey: .content)  // explicit null
            try c.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    /// One of a message's `tool_calls`.
    struct ToolCall: Encodable, Sendable {
        struct Function: Encodable, Sendable {
            var name: String
            var arguments: String
        }
        var id: String
        var type = "function"
        var function: Function
    }

    struct Choice: Encodable, Sendable {
        var index = 0
        var message: Message
        var finishReason: String
        private enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: ChatUsage
}

/// One `chat.completion.chunk` event of a stream.
struct ChatCompletionChunk: Encodable, Sendable {
    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
        var toolCalls: [ToolCallDelta]?

        private enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    /// A piece of a tool call: the first carries its id, type and name, the others pieces of its arguments.
    struct ToolCallDelta: Encodable, Sendable {
        struct Function: Encodable, Sendable {
            var name: String?
            var arguments: String?
        }
        var index = 0
        var id: String?
        var type: String?
        var function: Function
    }

    struct Choice: Encodable, Sendable {
        var index = 0
        var delta: Delta
        var finishReason: String?
        private enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.index, forKey: .index)
            try container.encode(self.delta, forKey: .delta)
            try container.encode(self.finishReason, forKey: .finishReason)  // explicit null, as OpenAI sends
        }
    }

    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: ChatUsage?
}

/// OpenAI error body: `{"error":{"message","type","code"}}`.
struct OpenAIErrorBody: Encodable, Sendable {
    struct Detail: Encodable, Sendable {
        var message: String
        var type: String
        var code: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.message, forKey: .message)
            try container.encode(self.type, forKey: .type)
            try container.encode(self.code, forKey: .code)
        }
        private enum CodingKeys: String, CodingKey { case message, type, code }
    }

    var error: Detail

    /// The error body for an HTTP status; the one place statuses map to OpenAI error types.
    init(status: Int, message: String) {
        let (type, code): (String, String?) =
            switch status {
            case 400: ("invalid_request_error", nil)
            case 401: ("authentication_error", "invalid_api_key")
            case 403: ("permission_error", nil)
            case 404: ("not_found_error", "model_not_found")
            case 408: ("timeout_error", nil)
            case 429: ("rate_limit_error", "rate_limit_exceeded")
            case 500..<600: ("server_error", nil)
            default: ("api_error", nil)
            }
        self.error = Detail(message: message, type: type, code: code)
    }
}

/// `GET /v1/models` list.
struct ModelList: Encodable, Sendable {
    struct Model: Encodable, Sendable {
        var id: String
        var object = "model"
        var created = 0
        var ownedBy = "triage-sim"
        private enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }

    var object = "list"
    var data: [Model]
}
