extension ConfigLoader {
    /// Reads the optional `judge` section (see ``JudgeConfig``).
    static func readJudge(_ node: NodeReader?, providers: [String: ProviderConfig]) throws(ConfigError) -> JudgeConfig? {
        guard let j = node else { return nil }
        try j.allowOnly(["provider", "model", "input_per_mtok", "output_per_mtok", "timeout_ms"])
        guard let provider = try j.string("provider") else {
            throw ConfigError(field: "judge.provider", problem: "is required (a provider under providers)")
        }
        guard providers[provider] != nil else {
            throw ConfigError(field: "judge.provider", problem: "names provider '\(provider)', which is not under providers (have: \(providers.keys.sorted().joined(separator: ", ")))")
        }
        guard let model = try j.string("model"), !model.isEmpty else {
            throw ConfigError(field: "judge.model", problem: "is required")
        }
        let input = try j.double("input_per_mtok", min: 0, max: Price.maxUSDPerMTok) ?? 0
        let output = try j.double("output_per_mtok", min: 0, max: Price.maxUSDPerMTok) ?? 0
        let timeout = try j.int("timeout_ms", min: 10, max: 600_000) ?? JudgeConfig.defaultTimeoutMs
        return JudgeConfig(provider: provider, model: model, price: Price(inputPerMTok: input, outputPerMTok: output), timeoutMs: timeout)
    }
}
