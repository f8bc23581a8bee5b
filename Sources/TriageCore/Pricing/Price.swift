/// A model's prices per million input and output tokens, held in nano-dollars so costs are exact.
public struct Price: Sendable, Equatable, Codable {
    /// Nano-dollars per million input tokens.
    public var inputNanoPerMTok: Int64
    /// Nano-dollars per million output tokens.
    public var outputNanoPerMTok: Int64

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
    public func cost(promptTokens: Int, completionTokens: Int) -> Money {
        let total = Int64(promptTokens) * inputNanoPerMTok + Int64(completionTokens) * outputNanoPerMTok
        return Money(nanoUSD: (total + 500_000) / 1_000_000)
    }
}
