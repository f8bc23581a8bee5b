/// One message of a chat request, reduced to what routing needs.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    /// The text of the message: a string content, or the `text` parts of an array content joined by newlines.
    public var text: String

    public init(role: String, text: String) {
        self.role = role
        self.text = text
    }
}

/// The routing view of an OpenAI chat-completions request. The full body stays in ``body``
/// and is what goes upstream, so fields Triage does not interpret pass through unchanged.
public struct ChatRequest: Sendable, Equatable {
    public var body: JSONValue
    public var model: String
    public var messages: [ChatMessage]
    public var stream: Bool
    /// `max_tokens` or `max_completion_tokens`, when given.
    public var maxTokens: Int?
    /// Estimated prompt tokens that no message text shows but the provider counts: tool
    /// definitions, earlier assistant turns' tool calls, images and a response schema.
    public var nonTextPromptTokens: Int

    /// The largest `max_tokens` accepted; no model produces more in one answer.
    public static let maxTokensLimit = 1_000_000

    /// Validates a parsed body and extracts the routing view.
    /// - Throws: `TriageError.missingField` / `.invalidField` naming the offending field.
    public init(body: JSONValue) throws(TriageError) {
        guard case .object(let o) = body else {
            throw .invalidField("body", "expected a JSON object")
        }
        guard let modelValue = o["model"] else { throw .missingField("model") }
        guard let model = modelValue.stringValue, !model.isEmpty else {
            throw .invalidField("model", "expected a non-empty string")
        }
        guard let messagesValue = o["messages"] else { throw .missingField("messages") }
        guard let rawMessages = messagesValue.arrayValue, !rawMessages.isEmpty else {
            throw .invalidField("messages", "expected a non-empty array")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        var nonText = PromptExtras()
        for (i, m) in rawMessages.enumerated() {
            guard let role = m["role"]?.stringValue else {
                throw .invalidField("messages[\(i)].role", "expected a string")
            }
            try Self.validate(message: m, at: i, role: role)
            messages.append(ChatMessage(role: role, text: Self.text(of: m["content"])))
            nonText.add(message: m)
        }
        try Self.validate(parameters: o)
        nonText.add(body: o)
        var stream = false
        if let s = o["stream"], s != .null {
            guard let b = s.boolValue else { throw .invalidField("stream", "expected a boolean") }
            stream = b
        }
        var maxTokens: Int?
        for key in ["max_completion_tokens", "max_tokens"] {
            if let v = o[key], v != .null {
                guard let n = v.intValue, n > 0 else { throw .invalidField(key, "expected a positive integer") }
                guard n <= Self.maxTokensLimit else { throw .invalidField(key, "at most \(Self.maxTokensLimit) tokens") }
                maxTokens = n
                break
            }
        }
        self.body = body
        self.model = model
        self.messages = messages
        self.stream = stream
        self.maxTokens = maxTokens
        self.nonTextPromptTokens = nonText.tokens
    }

    /// Parses and validates raw JSON bytes.
    public init(bytes: some Collection<UInt8>) throws(TriageError) {
        try self.init(body: JSONValue.parse(bytes))
    }

    private static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let s): return s
        case .array(let parts):
            return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: return ""
        }
    }

    /// Choices asked for (`n`, 1 when absent; at most 128, as OpenAI allows).
    public var choices: Int { Self.choices(in: body) }

    /// The choices a request body asks for (`n`, 1 when absent; at most 128), for callers that hold
    /// only the body (a provider adapter).
    public static func choices(in body: JSONValue) -> Int {
        min(128, max(1, body["n"]?.intValue ?? 1))
    }

    /// The last user message's text: the query being routed.
    public var query: String {
        messages.last(where: { $0.role == "user" })?.text ?? messages.last?.text ?? ""
    }

    /// Whether the request has a system prompt.
    public var hasSystemPrompt: Bool {
        messages.contains { $0.role == "system" || $0.role == "developer" }
    }

    /// Whether there are turns before the last user message.
    public var hasEarlierTurns: Bool {
        messages.filter { $0.role != "system" && $0.role != "developer" }.count > 1
    }

    /// The body to send upstream: `model` replaced, and for streams usage requested.
    public func upstreamBody(model: String) -> JSONValue {
        var b = body
        b["model"] = .string(model)
        if stream {
            var options = b["stream_options"]?.objectValue ?? [:]
            options["include_usage"] = .bool(true)
            b["stream_options"] = .object(options)
        }
        return b
    }
}
