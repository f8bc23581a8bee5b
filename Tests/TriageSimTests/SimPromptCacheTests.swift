import Testing
@testable import TriageSim

/// The simulated Anthropic prompt cache: what is written, what is read, and when.
@Suite struct SimPromptCacheTests {
    typealias B = SimPromptCache.Breakpoint

    @Test func aMarkedPrefixIsWrittenThenRead() {
        var cache = SimPromptCache()
        let start = ContinuousClock.now
        let tools = B(key: 1, tokens: 1500), history = B(key: 2, tokens: 2600)
        #expect(cache.use([tools, history], now: start) == (0, 2600), "first sight: the whole marked prefix is written")
        #expect(cache.use([tools, history], now: start + .seconds(10)) == (2600, 0), "again: read")
        // A longer conversation reads the prefix it shares and writes the rest.
        #expect(cache.use([tools, B(key: 3, tokens: 3000)], now: start + .seconds(20)) == (1500, 1500))
        // Short prefixes are not cached; entries expire after five minutes unless read.
        #expect(cache.use([B(key: 9, tokens: 1023)], now: start) == (0, 0))
        #expect(cache.use([tools], now: start + .seconds(20 + 299)) == (1500, 0), "a read refreshes its lifetime")
        #expect(cache.use([history], now: start + .seconds(10 + 301)) == (0, 2600), "expired: written again")
    }
}
