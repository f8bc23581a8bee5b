import Yams

/// Reads a ``TriageConfig`` from YAML text, with environment overrides, and validates it.
///
/// Environment variables override the file: `TRIAGE_LISTEN` (host:port), `TRIAGE_PORT`,
/// `TRIAGE_DATA_DIR`, `TRIAGE_RUN_DIR`.
public enum ConfigLoader {
    /// Parses and validates a configuration.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - environment: variables that override settings (pass `ProcessInfo.processInfo.environment`).
    ///   - baseDirectory: relative `data_dir`, `run_dir` and replay paths resolve against this (the config file's directory).
    public static func load(yaml: String, environment: [String: String] = [:], baseDirectory: String? = nil) throws(ConfigError) -> TriageConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw ConfigError(field: "", problem: "the file is empty") }
            root = node
        } catch let e as ConfigError {
            throw e
        } catch {
            throw ConfigError(field: "", problem: "not valid YAML: \(error)")
        }
        let r = NodeReader(node: root, path: "")
        try r.allowOnly(["listen", "data_dir", "run_dir", "providers", "tiers", "classifier", "limits", "workers", "shutdown_grace_s", "failover", "auth", "budgets", "privacy", "shadow", "judge", "retrain", "aliases"])

        let fileListen = try r.string("listen")
        let listenText = environment["TRIAGE_LISTEN"] ?? fileListen ?? "127.0.0.1:8080"
        guard var listen = HostPort(listenText) else {
            throw ConfigError(field: "listen", problem: "expected host:port, got '\(listenText)'")
        }
        if let p = environment["TRIAGE_PORT"] {
            guard let port = Int(p), (0...65535).contains(port) else {
                throw ConfigError(field: "TRIAGE_PORT", problem: "expected a port number, got '\(p)'")
            }
            listen.port = port
        }
        let fileDataDir = try r.string("data_dir")
        let fileRunDir = try r.string("run_dir")
        let dataDir = resolve(environment["TRIAGE_DATA_DIR"] ?? fileDataDir ?? "./data", base: baseDirectory)
        let runDir = (environment["TRIAGE_RUN_DIR"] ?? fileRunDir).map { resolve($0, base: baseDirectory) }

        let providers = try readProviders(r.child("providers"), base: baseDirectory)
        let tiers = try readTiers(r.child("tiers"), providers: providers)
        let classifier = try readClassifier(r.child("classifier"))
        var limits = Limits()
        if let l = try r.child("limits") {
            try l.allowOnly(["max_body_bytes", "max_frame_bytes", "max_messages", "max_tokens", "max_stream_buffer_kb", "slow_reader_grace_s"])
            limits.maxBodyBytes = try l.int("max_body_bytes", min: 1024) ?? limits.maxBodyBytes
            limits.maxMessages = try l.int("max_messages", min: 1) ?? limits.maxMessages
            limits.maxTokens = try l.int("max_tokens", min: 1, max: ChatRequest.maxTokensLimit) ?? limits.maxTokens
            limits.maxFrameBytes = try l.int("max_frame_bytes", min: 1024) ?? limits.maxFrameBytes
            limits.maxStreamBufferBytes = try l.int("max_stream_buffer_kb", min: 16, max: 1 << 20).map { $0 << 10 } ?? limits.maxStreamBufferBytes
            limits.slowReaderGraceSeconds = try l.double("slow_reader_grace_s", min: 0.1, max: 3600) ?? limits.slowReaderGraceSeconds
        }
        guard limits.maxFrameBytes >= limits.maxBodyBytes + 65_536 else {
            throw ConfigError(field: "limits.max_frame_bytes", problem: "must exceed max_body_bytes by at least 64 KiB, so every accepted request fits in a frame")
        }
        var workers = WorkerSettings()
        if let w = try r.child("workers") {
            try w.allowOnly(["count", "capacity", "heartbeat_s", "stale_s"])
            workers.count = try w.int("count", min: 0) ?? workers.count
            workers.capacity = try w.int("capacity", min: 1) ?? workers.capacity
            workers.heartbeatSeconds = try w.double("heartbeat_s", min: 0.05) ?? workers.heartbeatSeconds
            workers.staleSeconds = try w.double("stale_s", min: 0.1) ?? workers.staleSeconds
        }
        let grace = try r.double("shutdown_grace_s", min: 0) ?? 30
        var auth = AuthConfig()
        if let a = try r.child("auth") {
            try a.allowOnly(["required", "admin_key_env", "cache_s"])
            auth.required = try a.bool("required") ?? auth.required
            auth.adminKeyEnv = try a.string("admin_key_env") ?? auth.adminKeyEnv
            // A revoked key stays usable for up to cache_s: beyond an hour is never meant.
            auth.cacheSeconds = try a.double("cache_s", min: 0, max: 3600) ?? auth.cacheSeconds
        }
        if let v = environment["TRIAGE_AUTH_REQUIRED"] {
            guard let b = ["true": true, "1": true, "false": false, "0": false][v.lowercased()] else {
                throw ConfigError(field: "TRIAGE_AUTH_REQUIRED", problem: "expected true or false, got '\(v)'")
            }
            auth.required = b
        }
        var budgets = BudgetConfig()
        if let b = try r.child("budgets") {
            try b.allowOnly(["default_max_tokens", "reservation_ttl_s", "capped_tier", "lease_attempts", "status_cache_ms"])
            budgets.defaultMaxTokens = try b.int("default_max_tokens", min: 1) ?? budgets.defaultMaxTokens
            budgets.reservationTTLSeconds = try b.double("reservation_ttl_s", min: 1) ?? budgets.reservationTTLSeconds
            budgets.cappedTier = try b.string("capped_tier")
            budgets.leaseAttempts = try b.int("lease_attempts", min: 0, max: 10_000) ?? budgets.leaseAttempts
            // A budget change reaches the workers within this: beyond 5 s is never meant.
            budgets.statusCacheMs = try b.int("status_cache_ms", min: 0, max: 5_000) ?? budgets.statusCacheMs
            if let capped = budgets.cappedTier, !tiers.contains(where: { $0.name == capped }) {
                throw ConfigError(field: "budgets.capped_tier", problem: "names tier '\(capped)', which is not under tiers")
            }
        }
        var config = TriageConfig(listen: listen, dataDir: dataDir, runDir: runDir, providers: providers, tiers: tiers,
                                    classifier: classifier, limits: limits, workers: workers, shutdownGraceSeconds: grace,
                                    auth: auth, budgets: budgets)
        config.aliases = try readAliases(r.child("aliases"), tiers: tiers)
        config.failover = try readFailover(r.child("failover"))
        try checkReservationTTL(config)
        if let p = try r.child("privacy") {
            try p.allowOnly(["store_query_text"])
            config.privacy.storeQueryText = try p.bool("store_query_text") ?? false
        }
        config.shadow = try readShadow(r.child("shadow"))
        config.retrain = try readRetrain(r.child("retrain")) { resolve($0, base: baseDirectory) }
        config.judge = try readJudge(r.child("judge"), providers: providers)
        try checkClassifierJudge(config)
        try checkJudgeUsers(config)
        return config
    }

    /// A reservation must outlive the longest request it covers: one that lapsed while its attempt
    /// still ran would stop counting against the team's budget, and the team could overspend.
    static func checkReservationTTL(_ config: TriageConfig) throws(ConfigError) {
        let ttl = config.budgets.reservationTTLSeconds
        let requestBudget = config.failover.policy.requestBudget.inSeconds
        guard ttl > requestBudget else {
            throw ConfigError(field: "budgets.reservation_ttl_s", problem: "must exceed failover.request_budget_s (\(ttl) s against \(requestBudget) s): "
                + "a reservation has to outlive the longest request it covers, or the team could overspend")
        }
    }

    private static func resolve(_ path: String, base: String?) -> String {
        guard let base, !path.hasPrefix("/") else { return path }
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return base.hasSuffix("/") ? base + trimmed : base + "/" + trimmed
    }

    private static func readProviders(_ node: NodeReader?, base: String?) throws(ConfigError) -> [String: ProviderConfig] {
        guard let node else { throw ConfigError(field: "providers", problem: "is required: name at least one provider") }
        var out: [String: ProviderConfig] = [:]
        for p in try node.mappingEntries() {
            let name = p.key
            try p.allowOnly(["kind", "base_url", "api_key_env", "port", "replay", "ttft_ms", "tpot_ms", "prompt_cache"])
            guard let kindText = try p.string("kind") else {
                throw ConfigError(field: p.path + ".kind", problem: "is required (one of sim, openai, anthropic)")
            }
            guard let kind = ProviderConfig.Kind(rawValue: kindText) else {
                throw ConfigError(field: p.path + ".kind", problem: "unknown provider kind '\(kindText)' (expected sim, openai or anthropic)")
            }
            let port = try p.int("port", min: 0, max: 65535)
            var baseURL = try p.string("base_url")
            switch kind {
            case .sim:
                guard let port else { throw ConfigError(field: p.path + ".port", problem: "is required for kind: sim") }
                baseURL = baseURL ?? "http://127.0.0.1:\(port)/v1"
            case .openai:
                guard baseURL != nil else { throw ConfigError(field: p.path + ".base_url", problem: "is required for kind: openai") }
            case .anthropic:
                baseURL = baseURL ?? "https://api.anthropic.com"
            }
            guard let url = baseURL, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigError(field: p.path + ".base_url", problem: "expected an http:// or https:// URL")
            }
            while baseURL?.hasSuffix("/") == true { baseURL?.removeLast() }
            let promptCache = try p.string("prompt_cache") ?? "off"
            guard ["off", "auto"].contains(promptCache) else {
                throw ConfigError(field: p.path + ".prompt_cache", problem: "expected auto or off, got '\(promptCache)'")
            }
            if promptCache == "auto", kind != .anthropic {
                throw ConfigError(field: p.path + ".prompt_cache", problem: "applies to kind: anthropic only (OpenAI caches prompts by itself)")
            }
            out[name] = ProviderConfig(name: name, kind: kind, baseURL: baseURL!, apiKeyEnv: try p.string("api_key_env"),
                                       port: port, replay: try p.string("replay").map { resolve($0, base: base) },
                                       ttftMs: try p.int("ttft_ms", min: 0), tpotMs: try p.int("tpot_ms", min: 0),
                                       autoPromptCache: promptCache == "auto")
        }
        if out.isEmpty { throw ConfigError(field: "providers", problem: "is empty: name at least one provider") }
        return out
    }

    private static func readTiers(_ node: NodeReader?, providers: [String: ProviderConfig]) throws(ConfigError) -> [TierConfig] {
        guard let node else { throw ConfigError(field: "tiers", problem: "is required: list at least one tier, cheapest first") }
        let items = try node.sequenceItems()
        if items.isEmpty { throw ConfigError(field: "tiers", problem: "is empty: list at least one tier, cheapest first") }
        var tiers: [TierConfig] = []
        for t in items {
            try t.allowOnly(["name", "provider", "model", "input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok",
                            "timeout_s", "connect_timeout_s", "context_window", "quality", "quality_judge"])
            guard let name = try t.string("name"), !name.isEmpty else { throw ConfigError(field: t.path + ".name", problem: "is required") }
            guard let provider = try t.string("provider") else { throw ConfigError(field: t.path + ".provider", problem: "is required") }
            guard providers[provider] != nil else {
                throw ConfigError(field: t.path + ".provider", problem: "names provider '\(provider)', which is not under providers (have: \(providers.keys.sorted().joined(separator: ", ")))")
            }
            guard let model = try t.string("model"), !model.isEmpty else { throw ConfigError(field: t.path + ".model", problem: "is required") }
            guard let input = try t.double("input_per_mtok", min: 0, max: Price.maxUSDPerMTok) else { throw ConfigError(field: t.path + ".input_per_mtok", problem: "is required (USD per million input tokens)") }
            guard let output = try t.double("output_per_mtok", min: 0, max: Price.maxUSDPerMTok) else { throw ConfigError(field: t.path + ".output_per_mtok", problem: "is required (USD per million output tokens)") }
            if tiers.contains(where: { $0.name == name }) {
                throw ConfigError(field: t.path + ".name", problem: "tier '\(name)' is listed twice")
            }
            if name == "auto" { throw ConfigError(field: t.path + ".name", problem: "'auto' is reserved") }
            let qualityText = try t.string("quality") ?? "on"
            guard let quality = QualityMode(rawValue: qualityText) else {
                throw ConfigError(field: t.path + ".quality", problem: "expected on, buffer or off, got '\(qualityText)'")
            }
            tiers.append(TierConfig(name: name, provider: provider, model: model,
                                    price: Price(inputPerMTok: input, outputPerMTok: output,
                                                 cachedInputPerMTok: try t.double("cached_input_per_mtok", min: 0, max: Price.maxUSDPerMTok),
                                                 cacheWritePerMTok: try t.double("cache_write_per_mtok", min: 0, max: Price.maxUSDPerMTok)),
                                    timeoutSeconds: try t.double("timeout_s", min: 0.01) ?? 120,
                                    connectTimeoutSeconds: try t.double("connect_timeout_s", min: 0.01) ?? 10,
                                    contextWindow: try t.int("context_window", min: 1)))
            tiers[tiers.count - 1].quality = quality
            tiers[tiers.count - 1].qualityJudge = try readQualityJudge(t.child("quality_judge"))
        }
        return tiers
    }

    private static func readClassifier(_ node: NodeReader?) throws(ConfigError) -> ClassifierConfig {
        guard let c = node else { return ClassifierConfig() }
        try c.allowOnly(["kind", "simple_max_words", "complex_min_words", "keywords", "judge"])
        let kind = try c.string("kind") ?? "rules"
        guard kind == "rules" || kind == "learned" || kind == "judge" else {
            throw ConfigError(field: "classifier.kind", problem: "unknown classifier '\(kind)' (available: rules, learned, judge)")
        }
        var s = RuleClassifier.Settings()
        s.simpleMaxWords = try c.int("simple_max_words", min: 1) ?? s.simpleMaxWords
        s.complexMinWords = try c.int("complex_min_words", min: 1) ?? s.complexMinWords
        if let k = try c.stringList("keywords") { s.keywords = k.map { $0.lowercased() } }
        guard s.simpleMaxWords <= s.complexMinWords else {
            throw ConfigError(field: "classifier.simple_max_words", problem: "must not exceed complex_min_words")
        }
        return ClassifierConfig(kind: kind, rules: s, judge: try readJudgeStep(c.child("judge"), kind: kind))
    }
}
