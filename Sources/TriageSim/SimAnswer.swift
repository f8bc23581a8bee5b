import Foundation

/// One answer, cut to the token limit, with the accounting that stream and non-stream share.
///
/// A tool call is an answer too: its `text` is the call's arguments (a JSON object as text), so
/// its tokens, delays, limits and stream faults work as a text answer's do.
struct SimAnswer: Sendable {
    let id: String
    let created: Int
    let model: String
    let text: String
    /// Token ranges of `text`, already cut to the limit.
    let tokens: ArraySlice<Range<String.Index>>
    let finishReason: String
    let usage: ChatUsage
    /// The tool call this answer makes (its arguments are `text`); nil for a text answer.
    let toolCall: SimToolCall?

    /// - Parameters:
    ///   - cache: The behaviour's `cached_tokens` and `cache_write_tokens`, held to the prompt's size.
    init(text: String, limit: Int?, promptTokens: Int, model: String, toolCall: SimToolCall? = nil, cache: SimBehaviour = SimBehaviour()) {
        let all = SimTokens.split(text)
        let kept = limit.map { min($0, all.count) } ?? all.count
        self.id = "chatcmpl-sim-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        self.created = Int(Date().timeIntervalSince1970)
        self.model = model
        self.text = text
        self.tokens = all[..<kept]
        self.finishReason = kept < all.count ? "length" : toolCall == nil ? "stop" : "tool_calls"
        let cached = min(max(cache.cachedTokens ?? 0, 0), promptTokens)
        let written = min(max(cache.cacheWriteTokens ?? 0, 0), promptTokens - cached)
        self.usage = ChatUsage(promptTokens: promptTokens, completionTokens: kept, cachedTokens: cached, cacheWriteTokens: written)
        self.toolCall = toolCall
    }

    /// The answer text as sent: the concatenation of the kept tokens.
    var content: String {
        guard let last = self.tokens.last else { return "" }
        if last.upperBound == self.text.endIndex, self.tokens.first?.lowerBound == self.text.startIndex { return self.text }
        return String(Substring(self.text.utf8[self.text.startIndex..<last.upperBound]))
    }
}
