import TriageCore

/// Whether the Anthropic adapter asks for prompt caching when a request does not
/// (`providers.NAME.prompt_cache`).
public enum PromptCacheMode: String, Sendable, Equatable {
    /// Only the request's own `cache_control` marks are sent.
    case off
    /// A request without marks gets them at the end of its tools, its system prompt and its last
    /// message: a repeated prefix (an agent's instructions and tools, a conversation's history) is
    /// then read from the cache at a tenth of the input price, and written once at 1.25 times it.
    case auto
}

/// Anthropic's `cache_control` marks on content blocks and tools.
enum PromptCacheMarks {
    static let ephemeral: JSONValue = .object(["type": .string("ephemeral")])

    /// `block` with the `cache_control` of the OpenAI content part it came from, if that part has one.
    static func keeping(_ part: JSONValue, _ block: JSONValue) -> JSONValue {
        guard let mark = part["cache_control"], mark.objectValue != nil, case .object(var b) = block else { return block }
        b["cache_control"] = mark
        return .object(b)
    }

    /// Whether any of `items` (blocks or tools) carries a mark.
    static func anyMarked(_ items: [JSONValue]) -> Bool {
        items.contains { $0["cache_control"] != nil }
    }

    /// Marks the last of `items` (a block or a tool) as a cache breakpoint.
    static func markLast(_ items: inout [JSONValue]) {
        guard case .object(var last)? = items.last else { return }
        last["cache_control"] = ephemeral
        items[items.count - 1] = .object(last)
    }
}
