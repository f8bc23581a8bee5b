/// Token usage of one upstream call, as the provider reported it or as Triage estimated it.
public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// True when the provider reported no usage and Triage estimated it.
    public var estimated: Bool

    /// Creates a usage. Counts are never negative: a negative one (a faulty provider's usage
    /// object) reads as 0, so it can never lower what a request is charged.
    public init(promptTokens: Int, completionTokens: Int, estimated: Bool = false) {
        self.promptTokens = max(0, promptTokens)
        self.completionTokens = max(0, completionTokens)
        self.estimated = estimated
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case estimated
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// Reads an OpenAI `usage` object (`prompt_tokens`, `completion_tokens`).
    public init?(openAI value: JSONValue?) {
        guard let v = value, let p = v["prompt_tokens"]?.intValue else { return nil }
        self.init(promptTokens: p, completionTokens: v["completion_tokens"]?.intValue ?? 0)
    }

    /// OpenAI's `usage` object.
    public var openAIValue: JSONValue {
        .object([
            "prompt_tokens": .int(Int64(promptTokens)),
            "completion_tokens": .int(Int64(completionTokens)),
            "total_tokens": .int(Int64(totalTokens)),
        ])
    }

    public static let zero = Usage(promptTokens: 0, completionTokens: 0)

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(promptTokens: a.promptTokens + b.promptTokens,
              completionTokens: a.completionTokens + b.completionTokens,
              estimated: a.estimated || b.estimated)
    }
}

extension Sequence where Element == Usage {
    /// The usages added up; nil when there are none.
    public var total: Usage? {
        reduce(nil) { sum, u in sum.map { $0 + u } ?? u }
    }
}

/// Rough token estimates for when a provider reports none (about four bytes a token).
public enum TokenEstimate {
    /// Estimated tokens of a text.
    public static func tokens(in text: String) -> Int {
        (text.utf8.count + 3) / 4
    }

    /// Estimated prompt tokens of a conversation (content plus a few tokens of framing per message).
    public static func promptTokens(_ messages: [ChatMessage]) -> Int {
        messages.reduce(3) { $0 + tokens(in: $1.text) + 4 }
    }

    /// Estimated prompt tokens of a request: its conversation, plus what the provider counts
    /// beside the message texts (tool definitions and calls, images, a response schema).
    public static func promptTokens(_ request: ChatRequest) -> Int {
        promptTokens(request.messages) + request.nonTextPromptTokens
    }

    /// What a request counts against a tokens-per-minute limit when admitted, as OpenAI counts its
    /// own: the prompt's estimated tokens plus `max_tokens` for each of its `n` choices (nothing
    /// for the answer when it sets no `max_tokens`; the answer's usage corrects the count).
    public static func rateLimitTokens(_ request: ChatRequest) -> Int {
        promptTokens(request) + (request.maxTokens ?? 0) * request.choices
    }
}
