/// The LLM judge (`judge` in the config): a cheap model that rates a text on a fixed rubric.
/// Used by the judge classifier (query complexity) and by quality checks that ask a model.
///
/// ```yaml
/// judge: {provider: openai, model: gpt-4o-mini, input_per_mtok: 0.15, output_per_mtok: 0.60, timeout_ms: 1500}
/// ```
/// `provider` and `model` are required; prices default to 0 (cost not counted) and
/// `timeout_ms` to 1500 (the longest one judge call may take).
public struct JudgeConfig: Sendable, Equatable {
    /// A provider under `providers`.
    public var provider: String
    /// The model the judge calls.
    public var model: String
    /// The judge model's prices, for the cost of each call.
    public var price: Price
    /// The longest one judge call may take, in milliseconds.
    public var timeoutMs: Int

    /// Default of `timeout_ms`.
    public static let defaultTimeoutMs = 1500

    public init(provider: String, model: String, price: Price = Price(inputPerMTok: 0, outputPerMTok: 0),
                timeoutMs: Int = JudgeConfig.defaultTimeoutMs) {
        self.provider = provider
        self.model = model
        self.price = price
        self.timeoutMs = timeoutMs
    }

    /// The judge as a ladder-less tier, the shape upstream calls take.
    public var tier: TierConfig {
        TierConfig(name: "judge", provider: provider, model: model, price: price,
                   timeoutSeconds: Double(timeoutMs) / 1000, connectTimeoutSeconds: min(10, Double(timeoutMs) / 1000))
    }
}
