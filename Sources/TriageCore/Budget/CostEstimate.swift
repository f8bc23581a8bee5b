/// The worst-case cost of one attempt, reserved against the team's budget before the call.
public enum CostEstimate {
    /// Estimated input tokens plus `max_tokens` (or `defaultMaxTokens` when the request sets
    /// none) at the tier's prices.
    public static func worstCase(_ request: ChatRequest, price: Price, defaultMaxTokens: Int) -> Money {
        let input = TokenEstimate.promptTokens(request.messages)
        // The estimate of input tokens is rough; pad it so a reservation is rarely short.
        let paddedInput = input + input / 4 + 16
        return price.cost(promptTokens: paddedInput, completionTokens: request.maxTokens ?? defaultMaxTokens)
    }
}
