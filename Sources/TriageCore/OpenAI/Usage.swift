/// Token usage of one upstream call, as the provider reported it or as Triage estimated it.
///
/// Prompt tokens served from the provider's prompt cache (`cachedTokens`: OpenAI's
/// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`) and written to it
/// (`cacheWriteTokens`: Anthropic's `cache_creation_input_tokens`) are part of `promptTokens`;
/// ``Price`` charges them at their own rates.
public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// True when the provider reported no usage and Triage estimated it.
    public var estimated: Bool
    /// Prompt tokens read from the provider's prompt cache (part of `promptTokens`).
    public var cachedTokens: Int
    /// Prompt tokens written to the provider's prompt cache (part of `promptTokens`).
    public var cacheWriteTokens: Int

    /// Creates a usage. Counts are never negative: a negative one (a faulty provider's usage
    /// object) reads as 0, so it can never lower what a request is charged; cached and written
    /// tokens together are at most `promptTokens` (cache writes give way first).
    public init(promptTokens: Int, completionTokens: Int, estimated: Bool = false, cachedTokens: Int = 0, cacheWriteTokens: Int = 0) {
        self.promptTokens = max(0, promptTokens)
        self.completionTokens = max(0, completionTokens)
        self.estimated = estimated
        self.cachedTokens = min(max(0, cachedTokens), self.promptTokens)
        self.cacheWriteTokens = min(max(0, cacheWriteTokens), self.promptTokens - self.cachedTokens)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(promptTokens: try c.decode(Int.self, forKey: .promptTokens),
                  completionTokens: try c.decode(Int.self, forKey: .completionTokens),
                  estimated: try c.decodeIfPresent(Bool.self, forKey: .estimated) ?? false,
                  cachedTokens: try c.decodeIfPresent(Int.self, forKey: .cachedTokens) ?? 0,
                  cacheWriteTokens: try c.decodeIfPresent(Int.self, forKey: .cacheWriteTokens) ?? 0)
    }

    /// Encodes the cache counts only when there are some.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(estimated, forKey: .estimated)
        if cachedTokens > 0 { try c.encode(cachedTokens, forKey: .cachedTokens) }
        if cacheWriteTokens > 0 { try c.encode(cacheWriteTokens, forKey: .cacheWriteTokens) }
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case estimated
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case cachedTokens = "cached_tokens"
        case cacheWriteTokens = "cache_write_tokens"
    }

    /// Reads an OpenAI `usage` object (`prompt_tokens`, `completion_tokens`,
    /// `prompt_tokens_details.cached_tokens`, and the `cache_creation_input_tokens` of an answer
    /// translated from Anthropic's).
    public init?(openAI value: JSONValue?) {
        guard let v = value, let p = v["prompt_tokens"]?.intValue else { return nil }
        self.init(promptTokens: p, completionTokens: v["completion_tokens"]?.intValue ?? 0,
                  cachedTokens: v["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
                  cacheWriteTokens: v["cache_creation_input_tokens"]?.intValue ?? 0)
    }

    /// OpenAI's `usage` object; `prompt_tokens_details.cached_tokens` when some prompt tokens were
    /// cached, and `cache_creation_input_tokens` (Anthropic's name, as LiteLLM passes it on) when
    /// some were written to the cache.
    public var openAIValue: JSONValue {
        var usage: [String: JSONValue] = [
            "prompt_tokens": .int(Int64(promptTokens)),
            "completion_tokens": .int(Int64(completionTokens)),
            "total_tokens": .int(Int64(totalTokens)),
        ]
        if cachedTokens > 0 { usage["prompt_tokens_details"] = .object(["cached_tokens": .int(Int64(cachedTokens))]) }
        if cacheWriteTokens > 0 { usage["cache_creation_input_tokens"] = .int(Int64(cacheWriteTokens)) }
        return .object(usage)
    }

    public static let zero = Usage(promptTokens: 0, completionTokens: 0)

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(promptTokens: a.promptTokens + b.promptTokens,
              completionTokens: a.completionTokens + b.completionTokens,
              estimated: a.estimated || b.estimated,
              cachedTokens: a.cachedTokens + b.cachedTokens,
              cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens)
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
