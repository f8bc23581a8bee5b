/// The worst-case cost of one attempt, reserved against the team's budget before the call.
public enum CostEstimate {
    /// Estimated input tokens (tool definitions and images included) plus `max_tokens` (or
    /// `defaultMaxTokens` when the request sets none) for each of its `n` choices, at the tier's prices.
    public static func worstCase(_ request: ChatRequest, price: Price, defaultMaxTokens: Int) -> Money {
        let input = TokenEstimate.promptTokens(request)
        // The estimate of input tokens is rough; pad it so a reservation is rarely short.
        let paddedInput = input + input / 4 + 16
        return price.cost(promptTokens: paddedInput, completionTokens: (request.maxTokens ?? defaultMaxTokens) * request.choices)
    }

    /// The worst case of a call the router makes itself (a judge call): the estimated tokens of
    /// its prompt texts, padded as an attempt's are, plus `maxTokens` at `price`.
    public static func worstCase(prompt texts: [String], maxTokens: Int, price: Price) -> Money {
        let input = promptTokens(texts)
        return price.cost(promptTokens: input + input / 4 + 16, completionTokens: maxTokens)
    }

    /// The estimated input tokens of a call the router makes itself: `texts` as chat messages,
    /// with the few tokens each message and the reply's priming add. Not padded: what a judge call's
    /// checkpoint charges (see ``worstCase(prompt:maxTokens:price:)`` for what it reserves).
    public static func promptTokens(_ texts: [String]) -> Int {
        texts.reduce(3) { $0 + TokenEstimate.tokens(in: $1) + 4 }
    }
}
