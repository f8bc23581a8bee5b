import TriageCore
import TriageUpstream

/// The chat provider and API key for each configured provider.
struct ProviderSet: Sendable {
    private var providers: [String: any ChatProvider]
    private var keys: [String: String]

    init(config: TriageConfig, http: CurlHTTPClient, environment: [String: String]) {
        var providers: [String: any ChatProvider] = [:]
        var keys: [String: String] = [:]
        for (name, p) in config.providers {
            switch p.kind {
            case .sim, .openai:
                providers[name] = OpenAICompatibleProvider(http: http)
            case .anthropic:
                providers[name] = AnthropicProvider(http: http, defaultMaxTokens: config.budgets.defaultMaxTokens)
            }
            if let env = p.apiKeyEnv, let key = environment[env] { keys[name] = key }
        }
        self.providers = providers
        self.keys = keys
    }

    func provider(named name: String) -> any ChatProvider {
        providers[name] ?? UnsupportedProvider(reason: "unknown provider '\(name)'")
    }

    func apiKey(for name: String) -> String? { keys[name] }
}
