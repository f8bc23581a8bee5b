import Foundation
import Testing
import TriageCore

@Suite struct UsageTests {
    @Test func readsAnOpenAIUsageObject() throws {
        let json = try JSONValue.parse(Array(#"{"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18, "prompt_tokens_details": {"cached_tokens": 0}}"#.utf8))
        #expect(Usage(openAI: json) == Usage(promptTokens: 12, completionTokens: 6))
        #expect(Usage(openAI: json)?.estimated == false)
    }

    @Test func completionTokensDefaultToZero() {
        #expect(Usage(openAI: .object(["prompt_tokens": .int(7)])) == Usage(promptTokens: 7, completionTokens: 0))
    }

    @Test func integralDoublesAreAccepted() {
        #expect(Usage(openAI: .object(["prompt_tokens": .double(12), "completion_tokens": .double(6)])) == Usage(promptTokens: 12, completionTokens: 6))
    }

    @Test func missingOrMalformedUsageIsNil() {
        #expect(Usage(openAI: nil) == nil)
        #expect(Usage(openAI: .null) == nil)
        #expect(Usage(openAI: .object([:])) == nil)
        #expect(Usage(openAI: .object(["prompt_tokens": .string("12")])) == nil)
        #expect(Usage(openAI: .object(["prompt_tokens": .double(1.5)])) == nil)
        #expect(Usage(openAI: .array([])) == nil)
    }

    /// Found by `cluster/fuzz anthropic-stream`: a provider's negative token count became a
    /// negative cost, crediting the team's budget. Counts now floor at 0.
    @Test func negativeCountsReadAsZero() {
        #expect(Usage(openAI: .object(["prompt_tokens": .int(-100), "completion_tokens": .int(-5)])) == Usage(promptTokens: 0, completionTokens: 0))
        #expect(Usage(promptTokens: 10, completionTokens: -5).completionTokens == 0)
        #expect(Price(inputPerMTok: 3, outputPerMTok: 15).cost(Usage(promptTokens: 10, completionTokens: -1_000_000)) > .zero)
    }

    @Test func writesAnOpenAIUsageObject() {
        let v = Usage(promptTokens: 12, completionTokens: 6).openAIValue
        #expect(v == .object(["prompt_tokens": .int(12), "completion_tokens": .int(6), "total_tokens": .int(18)]))
        #expect(Usage(openAI: v) == Usage(promptTokens: 12, completionTokens: 6))
    }

    @Test func sumsAndTotals() {
        let a = Usage(promptTokens: 10, completionTokens: 5)
        let b = Usage(promptTokens: 1, completionTokens: 2, estimated: true)
        #expect(a.totalTokens == 15)
        #expect(a + b == Usage(promptTokens: 11, completionTokens: 7, estimated: true))
        #expect(a + .zero == a)
    }

    @Test func promptCacheCountsArePartOfThePrompt() throws {
        let openAI = try JSONValue.parse(Array(#"{"prompt_tokens": 2006, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1920}}"#.utf8))
        let u = try #require(Usage(openAI: openAI))
        #expect(u.promptTokens == 2006 && u.cachedTokens == 1920 && u.cacheWriteTokens == 0)
        #expect(u.openAIValue["prompt_tokens_details"]?["cached_tokens"]?.intValue == 1920, "clients see what was cached")
        #expect(Usage(openAI: u.openAIValue) == u)
        // Counts a provider gets wrong are held to the prompt: cache reads first, then writes.
        #expect(Usage(promptTokens: 10, completionTokens: 0, cachedTokens: 50).cachedTokens == 10)
        #expect(Usage(promptTokens: 10, completionTokens: 0, cachedTokens: 6, cacheWriteTokens: 9).cacheWriteTokens == 4)
        #expect(Usage(promptTokens: 10, completionTokens: 0, cachedTokens: -3).cachedTokens == 0)
        let sum = u + Usage(promptTokens: 100, completionTokens: 1, cachedTokens: 10, cacheWriteTokens: 80)
        #expect(sum.cachedTokens == 1930 && sum.cacheWriteTokens == 80)
        #expect(sum.openAIValue["cache_creation_input_tokens"]?.intValue == 80, "a translated Anthropic answer keeps its cache writes")
        #expect(Usage(openAI: sum.openAIValue) == sum)
        let decoded = try JSONDecoder().decode(Usage.self, from: JSONEncoder().encode(sum))
        #expect(decoded == sum)
    }

    @Test func codableUsesSnakeCase() throws {
        let u = Usage(promptTokens: 3, completionTokens: 4, estimated: true)
        let json = try JSONValue.parse(Array(try JSONEncoder().encode(u)))
        #expect(json == .object(["prompt_tokens": .int(3), "completion_tokens": .int(4), "estimated": .bool(true)]))
        #expect(try JSONDecoder().decode(Usage.self, from: JSONEncoder().encode(u)) == u)
    }

    @Test func tokenEstimates() {
        #expect(TokenEstimate.tokens(in: "") == 0)
        #expect(TokenEstimate.tokens(in: "abcd") == 1)
        #expect(TokenEstimate.tokens(in: "abcde") == 2)
        #expect(TokenEstimate.promptTokens([ChatMessage(role: "user", text: "abcdefgh")]) == 3 + 2 + 4)
    }
}
