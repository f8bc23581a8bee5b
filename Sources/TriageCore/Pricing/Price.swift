/// A model's prices per million input and output tokens, held in nano-dollars so costs are exact.
///
/// Prompt tokens a provider serves from its prompt cache and writes to it have their own prices
/// (OpenAI bills cached input at a discount; Anthropic bills cache reads at a tenth of the input
/// price and 5-minute cache writes at 1.25 times it); unset, they cost what other input does.
public struct Price: Sendable, Equatable, Codable {
    /// Nano-dollars per million input tokens.
    public var inputNanoPerMTok: Int64
    /// Nano-dollars per million output tokens.
    public var outputNanoPerMTok: Int64
    /// Nano-dollars per million input tokens read from the provider's prompt cache.
    public var cachedInputNanoPerMTok: Int64
    /// Nano-dollars per million input tokens written to the provider's prompt cache.
    public var cacheWriteNanoPerMTok: Int64

    /// The highest price per million tokens a config may set (100,000 USD, far above any real
    /// model), so that a cost in nano-dollars cannot overflow.
    public static let maxUSDPerMTok = 100_000.0

    /// - Parameters:
    ///   - inputPerMTok: USD per million input tokens (e.g. 0.15).
    ///   - outputPerMTok: USD per million output tokens (e.g. 0.60).
    ///   - cachedInputPerMTok: USD per million input tokens read from the prompt cache; nil: `inputPerMTok`.
    ///   - cacheWritePerMTok: USD per million input tokens written to the prompt cache; nil: `inputPerMTok`.
    public init(inputPerMTok: Double, outputPerMTok: Double, cachedInputPerMTok: Double? = nil, cacheWritePerMTok: Double? = nil) {
        self.inputNanoPerMTok = Self.nano(inputPerMTok)
        self.outputNanoPerMTok = Self.nano(outputPerMTok)
        self.cachedInputNanoPerMTok = Self.nano(cachedInputPerMTok ?? inputPerMTok)
        self.cacheWriteNanoPerMTok = Self.nano(cacheWritePerMTok ?? inputPerMTok)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.inputNanoPerMTok = try c.decode(Int64.self, forKey: .inputNanoPerMTok)
        self.outputNanoPerMTok = try c.decode(Int64.self, forKey: .outputNanoPerMTok)
        self.cachedInputNanoPerMTok = try c.decodeIfPresent(Int64.self, forKey: .cachedInputNanoPerMTok) ?? inputNanoPerMTok
        self.cacheWriteNanoPerMTok = try c.decodeIfPresent(Int64.self, forKey: .cacheWriteNanoPerMTok) ?? inputNanoPerMTok
    }

    private static func nano(_ usdPerMTok: Double) -> Int64 { Int64((usdPerMTok * 1e9).rounded()) }

    /// The cost of a call with this usage, rounded to the nearest nano-dollar: cached and
    /// cache-written prompt tokens at their prices, the rest of the prompt at the input price.
    public func cost(_ usage: Usage) -> Money {
        var sum = CostSum()
        sum.add(usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens, at: inputNanoPerMTok)
        sum.add(usage.cachedTokens, at: cachedInputNanoPerMTok)
        sum.add(usage.cacheWriteTokens, at: cacheWriteNanoPerMTok)
        sum.add(usage.completionTokens, at: outputNanoPerMTok)
        return sum.total
    }

    /// The cost of a call with these token counts, rounded to the nearest nano-dollar.
    /// Token counts may come from a client (`max_tokens`) or a provider's usage, so an absurd count
    /// saturates at `Int64.max` nano-dollars instead of trapping.
    public func cost(promptTokens: Int, completionTokens: Int) -> Money {
        var sum = CostSum()
        sum.add(promptTokens, at: inputNanoPerMTok)
        sum.add(completionTokens, at: outputNanoPerMTok)
        return sum.total
    }
}

/// Token counts priced per million tokens, added up without overflow: tokens × price overflows
/// Int64 beyond about $9,223 a call, so whole millions of tokens and the rest are priced apart
/// (tokens = m × 1e6 + r, cost = m × price + r × price / 1e6); a sum too large saturates.
private struct CostSum {
    private var whole: Int64 = 0
    private var rest: Int64 = 500_000  // rounds the rest to the nearest nano-dollar
    private var overflowed = false

    mutating func add(_ tokens: Int, at nanoPerMTok: Int64) {
        let (m, r) = Int64(tokens).quotientAndRemainder(dividingBy: 1_000_000)
        self.whole = self.adding(m, times: nanoPerMTok, to: self.whole)
        self.rest = self.adding(r, times: nanoPerMTok, to: self.rest)
    }

    private mutating func adding(_ a: Int64, times b: Int64, to total: Int64) -> Int64 {
        let (product, o1) = a.multipliedReportingOverflow(by: b)
        let (sum, o2) = total.addingReportingOverflow(product)
        if o1 || o2 { self.overflowed = true }
        return sum
    }

    var total: Money {
        let (sum, overflow) = whole.addingReportingOverflow(rest / 1_000_000)
        return Money(nanoUSD: overflowed || overflow ? .max : sum)
    }
}
