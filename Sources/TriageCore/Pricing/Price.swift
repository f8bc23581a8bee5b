/// A model's prices per million input and output tokens, held in nano-dollars so costs are exact.
public struct Price: Sendable, Equatable, Codable {
    /// Nano-dollars per million input tokens.
    public var inputNanoPerMTok: Int64
    /// Nano-dollars per million output tokens.
    public var outputNanoPerMTok: Int64

    /// The highest price per million tokens a config may set (100,000 USD, far above any real
    /// model), so that a cost in nano-dollars cannot overflow.
    public static let maxUSDPerMTok = 100_000.0

    /// - Parameters:
    ///   - inputPerMTok: USD per million input tokens (e.g. 0.15).
    ///   - outputPerMTok: USD per million output tokens (e.g. 0.60).
    public init(inputPerMTok: Double, outputPerMTok: Double) {
        self.inputNanoPerMTok = Int64((inputPerMTok * 1e9).rounded())
        self.outputNanoPerMTok = Int64((outputPerMTok * 1e9).rounded())
    }

    /// The cost of a call with this usage, rounded to the nearest nano-dollar.
    public func cost(_ usage: Usage) -> Money {
        cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
    }

    /// The cost of a call with these token counts, rounded to the nearest nano-dollar.
    /// Token counts may come from a client (`max_tokens`) or a provider's usage, so an absurd count
    /// saturates at `Int64.max` nano-dollars instead of trapping.
    public func cost(promptTokens: Int, completionTokens: Int) -> Money {
        // tokens × price overflows Int64 beyond about $9,223 a call, so whole millions of tokens
        // and the rest are priced apart: tokens = m × 1e6 + r, cost = m × price + r × price / 1e6.
        let (pm, pr) = Int64(promptTokens).quotientAndRemainder(dividingBy: 1_000_000)
        let (cm, cr) = Int64(completionTokens).quotientAndRemainder(dividingBy: 1_000_000)
        let whole = Self.checkedSum([(pm, inputNanoPerMTok), (cm, outputNanoPerMTok)])
        let rest = Self.checkedSum([(pr, inputNanoPerMTok), (cr, outputNanoPerMTok), (1, 500_000)])
        guard let whole, let rest else { return Money(nanoUSD: .max) }
        let (sum, overflow) = whole.addingReportingOverflow(rest / 1_000_000)
        return Money(nanoUSD: overflow ? .max : sum)
    }

    /// The sum of the products, or nil when it does not fit in an Int64.
    private static func checkedSum(_ terms: [(Int64, Int64)]) -> Int64? {
        var total: Int64 = 0
        for (a, b) in terms {
            let (product, o1) = a.multipliedReportingOverflow(by: b)
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { return nil }
            total = sum
        }
        return total
    }
}
