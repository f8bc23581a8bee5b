import Foundation
import Testing
import TriageCore

@Suite struct PriceTests {
    let mini = Price(inputPerMTok: 0.15, outputPerMTok: 0.60)

    @Test func pricesAreHeldInNanoDollarsPerMillionTokens() {
        #expect(mini.inputNanoPerMTok == 150_000_000)
        #expect(mini.outputNanoPerMTok == 600_000_000)
        // Binary doubles round to the nearest nano-dollar, not down.
        #expect(Price(inputPerMTok: 0.07, outputPerMTok: 0.29).inputNanoPerMTok == 70_000_000)
        #expect(Price(inputPerMTok: 0.07, outputPerMTok: 0.29).outputNanoPerMTok == 290_000_000)
    }

    @Test func aMillionInputTokensCostTheInputPrice() {
        #expect(mini.cost(promptTokens: 1_000_000, completionTokens: 0) == Money(nanoUSD: 150_000_000))
        #expect(mini.cost(promptTokens: 0, completionTokens: 1_000_000) == Money(nanoUSD: 600_000_000))
        #expect(mini.cost(promptTokens: 1_000_000, completionTokens: 0).description == "0.150000000")
    }

    @Test func aSmallCallCostsExactly() {
        // 12 × 0.15 / 1e6 + 6 × 0.60 / 1e6 = 0.0000018 + 0.0000036 = 0.0000054 USD.
        let cost = mini.cost(promptTokens: 12, completionTokens: 6)
        #expect(cost == Money(nanoUSD: 5_400))
        #expect(cost.description == "0.000005400")
        #expect(mini.cost(Usage(promptTokens: 12, completionTokens: 6)) == cost)
    }

    @Test func costsAddUpExactly() {
        let opus = Price(inputPerMTok: 15, outputPerMTok: 75)
        // 1234 × 15 000 nano + 567 × 75 000 nano = 18 510 000 + 42 525 000 nano.
        #expect(opus.cost(promptTokens: 1234, completionTokens: 567) == Money(nanoUSD: 61_035_000))
        var total = Money.zero
        for _ in 0..<1000 { total += mini.cost(promptTokens: 12, completionTokens: 6) }
        #expect(total == Money(nanoUSD: 5_400_000))
    }

    @Test func costRoundsToTheNearestNanoDollar() {
        // 400 nano-dollars per million tokens: a token costs 0.0004 nano-dollars.
        let cheap = Price(inputPerMTok: 0.000_000_4, outputPerMTok: 0.000_000_4)
        #expect(cheap.inputNanoPerMTok == 400)
        #expect(cheap.cost(promptTokens: 1, completionTokens: 0) == .zero)
        #expect(cheap.cost(promptTokens: 1249, completionTokens: 0) == .zero)      // 0.4996
        #expect(cheap.cost(promptTokens: 1250, completionTokens: 0) == Money(nanoUSD: 1)) // 0.5 rounds up
        #expect(cheap.cost(promptTokens: 3749, completionTokens: 0) == Money(nanoUSD: 1)) // 1.4996
        #expect(cheap.cost(promptTokens: 3750, completionTokens: 0) == Money(nanoUSD: 2)) // 1.5
        // Rounding applies to the sum, not to each part: 0.4 + 0.4 = 0.8 → 1.
        #expect(cheap.cost(promptTokens: 1000, completionTokens: 1000) == Money(nanoUSD: 1))
    }

    @Test func promptCacheReadsAndWritesHaveTheirOwnPrices() throws {
        // Claude Sonnet: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million.
        let sonnet = Price(inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.30, cacheWritePerMTok: 3.75)
        let usage = Usage(promptTokens: 10_000, completionTokens: 200, cachedTokens: 8_000, cacheWriteTokens: 1_500)
        // 500 × 3 000 + 8 000 × 300 + 1 500 × 3 750 + 200 × 15 000 nano = 1.5e6 + 2.4e6 + 5.625e6 + 3e6.
        #expect(sonnet.cost(usage) == Money(nanoUSD: 12_525_000))
        #expect(sonnet.cost(Usage(promptTokens: 10_000, completionTokens: 200)) == Money(nanoUSD: 33_000_000), "no cache: all at the input price")
        // Unset, cached and written tokens cost what other input does (never less than before).
        #expect(mini.cachedInputNanoPerMTok == mini.inputNanoPerMTok && mini.cacheWriteNanoPerMTok == mini.inputNanoPerMTok)
        #expect(mini.cost(usage) == mini.cost(promptTokens: 10_000, completionTokens: 200))
        // A price decoded from before these fields existed takes the input price for them.
        let old = try JSONDecoder().decode(Price.self, from: Data(#"{"inputNanoPerMTok": 150000000, "outputNanoPerMTok": 600000000}"#.utf8))
        #expect(old == mini)
        #expect(try JSONDecoder().decode(Price.self, from: JSONEncoder().encode(sonnet)) == sonnet)
        // Large cached counts saturate like the rest.
        #expect(sonnet.cost(Usage(promptTokens: Int.max, completionTokens: 0, cachedTokens: Int.max)) == Money(nanoUSD: .max))
    }

    @Test func zeroUsageIsFree() {
        #expect(mini.cost(.zero) == .zero)
        #expect(Price(inputPerMTok: 0, outputPerMTok: 0).cost(promptTokens: 5_000_000, completionTokens: 5_000_000) == .zero)
    }

    @Test func largeTokenCountsDoNotOverflow() {
        let opus = Price(inputPerMTok: 15, outputPerMTok: 75)
        // 1e9 output tokens at $75 per million: $75 000 (7.5e22 before dividing: more than Int64 holds).
        #expect(opus.cost(promptTokens: 0, completionTokens: 1_000_000_000) == Money(nanoUSD: 75_000_000_000_000))
        #expect(opus.cost(promptTokens: 1_000_000_000, completionTokens: 1_000_000_000) == Money(nanoUSD: 90_000_000_000_000))
        // Remainders below a million tokens still count.
        #expect(opus.cost(promptTokens: 1_000_000_001, completionTokens: 0) == Money(nanoUSD: 15_000_000_015_000))
        // A client's absurd max_tokens saturates instead of crashing.
        #expect(opus.cost(promptTokens: 10, completionTokens: Int.max) == Money(nanoUSD: .max))
    }
}
