/// Anthropic's prompt cache, simulated: a prompt's prefix that ends at a `cache_control` mark is
/// written to the cache (reported as `cache_creation_input_tokens`) and, asked for again within
/// five minutes, read from it (`cache_read_input_tokens`). As Anthropic's, a prefix shorter than
/// ``minimumTokens`` is not cached, a read refreshes the entry's lifetime, and a request reads the
/// longest marked prefix it finds and writes the rest up to its last mark.
struct SimPromptCache: Sendable {
    /// One marked prefix of a prompt.
    struct Breakpoint: Sendable, Equatable {
        var key: UInt64
        var tokens: Int
    }

    /// Anthropic's minimum cacheable prompt for Claude Sonnet and Opus.
    static let minimumTokens = 1024
    /// Anthropic's default (5-minute) lifetime.
    static let lifetime = Duration.seconds(300)

    private var entries: [UInt64: ContinuousClock.Instant] = [:]

    /// Looks `breakpoints` up and stores them; returns the tokens read from and written to the cache.
    mutating func use(_ breakpoints: [Breakpoint], now: ContinuousClock.Instant) -> (read: Int, written: Int) {
        let cacheable = breakpoints.filter { $0.tokens >= Self.minimumTokens }
        guard let last = cacheable.last else { return (0, 0) }
        let hit = cacheable.last { entries[$0.key].map { $0.duration(to: now) < Self.lifetime } ?? false }
        for b in cacheable { entries[b.key] = now }
        if entries.count > 10_000 { entries = entries.filter { $0.value.duration(to: now) < Self.lifetime } }
        let read = hit?.tokens ?? 0
        return (read, max(0, last.tokens - read))
    }
}
