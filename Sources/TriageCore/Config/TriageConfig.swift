/// The whole configuration of a Triage cluster, read from one YAML file
/// (default `cluster/triage.yaml`). Keys are snake_case in YAML.
public struct TriageConfig: Sendable, Equatable {
    /// `host:port` the coordinator listens on.
    public var listen: HostPort
    /// Directory of the SQLite store (`triage.sqlite`).
    public var dataDir: String
    /// Directory of the worker sockets; default `<data_dir>/run`.
    public var runDir: String
    /// Providers by name.
    public var providers: [String: ProviderConfig]
    /// The tier ladder, cheapest first.
    public var tiers: [TierConfig]
    /// Other names a request's `model` may use, each for `auto`, a tier or a configured model
    /// (`aliases`: `{gpt-4o: auto}` lets clients that name a model keep their code).
    public var aliases: [String: String] = [:]
    public var classifier: ClassifierConfig
    public var limits: Limits
    public var workers: WorkerSettings
    /// Seconds in-flight requests get to finish on shutdown.
    public var shutdownGraceSeconds: Double
    /// Retries, fail-over, time limits and circuit breakers (`failover`).
    public var failover = FailoverConfig()
    public var auth: AuthConfig
    public var budgets: BudgetConfig
    public var privacy = PrivacyConfig()
    /// Shadow comparison across tiers (`shadow`); off unless `sample_rate` > 0.
    public var shadow = ShadowConfig()
    /// Scheduled retraining inside the coordinator (`retrain`), when set.
    public var retrain: RetrainSchedule?
    /// The LLM judge (`judge`), when configured.
    public var judge: JudgeConfig?

    public init(listen: HostPort, dataDir: String, runDir: String? = nil,
                providers: [String: ProviderConfig], tiers: [TierConfig],
                classifier: ClassifierConfig = ClassifierConfig(), limits: Limits = Limits(),
                workers: WorkerSettings = WorkerSettings(), shutdownGraceSeconds: Double = 30,
                auth: AuthConfig = AuthConfig(), budgets: BudgetConfig = BudgetConfig()) {
        self.auth = auth
        self.budgets = budgets
        self.listen = listen
        self.dataDir = dataDir
        self.runDir = runDir ?? dataDir + "/run"
        self.providers = providers
        self.tiers = tiers
        self.classifier = classifier
        self.limits = limits
        self.workers = workers
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }

    /// The provider of a tier (validated to exist at load time).
    public func provider(of tier: TierConfig) -> ProviderConfig {
        providers[tier.provider]!
    }

    /// The tier ladder as routing sees it.
    public var ladder: Ladder { Ladder(tiers: tiers, aliases: aliases) }

    /// How long after a top-up attempts may still draw on a budget lease: half of what the
    /// reservation TTL leaves beyond the request budget (150 s with the defaults), so the last
    /// attempt drawn ends with the other half to spare, for its settlement, before the row could lapse.
    public var leaseWindowSeconds: Double {
        max(0, budgets.reservationTTLSeconds - failover.policy.requestBudget.inSeconds) / 2
    }
}

/// `host:port`.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (or `:port`, meaning 127.0.0.1).
    public init?(_ text: String) {
        guard let i = text.lastIndex(of: ":"), let p = Int(text[text.index(after: i)...]), (0...65535).contains(p) else {
            return nil
        }
        let h = String(text[..<i])
        self.init(host: h.isEmpty ? "127.0.0.1" : h, port: p)
    }

    public var description: String { "\(host):\(port)" }
}

/// One upstream provider.
public struct ProviderConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Triage's simulated provider, started by `triage up`.
        case sim
        /// Any OpenAI-compatible `/v1/chat/completions` server (OpenAI, Ollama, vLLM).
        case openai
        /// Anthropic's Messages API.
        case anthropic
    }

    public var name: String
    public var kind: Kind
    /// Base URL up to and including `/v1` for OpenAI-compatible servers.
    public var baseURL: String
    /// Name of the environment variable holding the API key.
    public var apiKeyEnv: String?
    /// For `kind: sim`: the port `triage up` starts it on.
    public var port: Int?
    /// For `kind: sim`: a JSONL file of recorded answers to replay.
    public var replay: String?
    /// For `kind: sim`: milliseconds to the first token, and per token after it.
    public var ttftMs: Int?
    public var tpotMs: Int?
    /// For `kind: anthropic`: mark requests that carry no `cache_control` of their own for
    /// Anthropic's prompt caching (`prompt_cache: auto`); false sends only the request's own marks.
    public var autoPromptCache: Bool

    public init(name: String, kind: Kind, baseURL: String, apiKeyEnv: String? = nil, port: Int? = nil, replay: String? = nil,
                ttftMs: Int? = nil, tpotMs: Int? = nil, autoPromptCache: Bool = false) {
        self.autoPromptCache = autoPromptCache
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.port = port
        self.replay = replay
    }
}

/// One rung of the ladder: a tier name and the model that serves it.
public struct TierConfig: Sendable, Equatable {
    public var name: String
    public var provider: String
    public var model: String
    public var price: Price
    /// Seconds allowed for one upstream call of this tier.
    public var timeoutSeconds: Double
    public var connectTimeoutSeconds: Double
    /// The model's context window in tokens (`context_window`), when known: a request that
    /// overflows a smaller window climbs to the first tier whose window holds it.
    public var contextWindow: Int?

    /// How answers of this tier are checked (`quality: on|buffer|off`).
    public var quality: QualityMode = .on
    /// The judge quality check (`quality_judge`), when set.
    public var qualityJudge: QualityJudgeConfig?

    public init(name: String, provider: String, model: String, price: Price,
                timeoutSeconds: Double = 120, connectTimeoutSeconds: Double = 10, contextWindow: Int? = nil) {
        self.contextWindow = contextWindow
        self.name = name
        self.provider = provider
        self.model = model
        self.price = price
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }
}

/// Which classifier routes `auto` requests, and its settings.
public struct ClassifierConfig: Sendable, Equatable {
    /// `rules`, `learned` or `judge`.
    public var kind: String
    public var rules: RuleClassifier.Settings
    /// When the LLM judge takes part (`classifier.judge`; always set for `kind: judge`).
    public var judge: JudgeStepConfig?

    public init(kind: String = "rules", rules: RuleClassifier.Settings = .init(), judge: JudgeStepConfig? = nil) {
        self.kind = kind
        self.rules = rules
        self.judge = judge
    }
}

/// Size limits.
public struct Limits: Sendable, Equatable {
    /// Largest accepted HTTP request body; larger gets 413.
    public var maxBodyBytes: Int
    /// Largest wire frame between coordinator and workers.
    public var maxFrameBytes: Int

    /// Most messages one request may carry; more gets 400.
    public var maxMessages: Int = 1000
    /// Largest `max_tokens` a request may ask for; more gets 400.
    public var maxTokens: Int = 200_000
    /// Most bytes of one stream the coordinator holds for a client that does not read them
    /// (`max_stream_buffer_kb`); past it the answer is stopped upstream and the stream ends with a
    /// `stream_buffer_exceeded` error, so a stalled client cannot make the coordinator hold a
    /// whole long answer.
    public var maxStreamBufferBytes: Int = 1 << 20
    /// Seconds a client whose stream was stopped that way gets to read what was held (and the
    /// reason) before its connection is closed (`slow_reader_grace_s`).
    public var slowReaderGraceSeconds: Double = 30

    public init(maxBodyBytes: Int = 4 << 20, maxFrameBytes: Int = 8 << 20) {
        self.maxBodyBytes = maxBodyBytes
        self.maxFrameBytes = maxFrameBytes
    }
}

/// Worker pool settings.
public struct WorkerSettings: Sendable, Equatable {
    /// Workers `triage up` starts.
    public var count: Int
    /// Requests one worker takes at once.
    public var capacity: Int
    /// Seconds between heartbeats and pings.
    public var heartbeatSeconds: Double
    /// A worker not heard from for this long is dropped.
    public var staleSeconds: Double

    public init(count: Int = 2, capacity: Int = 256, heartbeatSeconds: Double = 1, staleSeconds: Double = 5) {
        self.count = count
        self.capacity = capacity
        self.heartbeatSeconds = heartbeatSeconds
        self.staleSeconds = staleSeconds
    }
}

/// Who may call Triage.
public struct AuthConfig: Sendable, Equatable {
    /// When true (the default), `/v1/` requests need a team API key (`Authorization: Bearer` or `x-api-key`).
    public var required: Bool
    /// The environment variable holding the admin key for `/admin/`.
    public var adminKeyEnv: String
    /// Seconds a verified key is cached in the coordinator (revocation takes effect within this).
    public var cacheSeconds: Double

    public init(required: Bool = true, adminKeyEnv: String = "TRIAGE_ADMIN_KEY", cacheSeconds: Double = 2) {
        self.required = required
        self.adminKeyEnv = adminKeyEnv
        self.cacheSeconds = cacheSeconds
    }
}

/// How budgets are enforced.
public struct BudgetConfig: Sendable, Equatable {
    /// Output tokens assumed for the worst case when a request sets no `max_tokens`.
    public var defaultMaxTokens: Int
    /// Seconds a reservation counts before it lapses (covers a crashed worker).
    public var reservationTTLSeconds: Double
    /// The tier requests are capped at once a team passes its soft limit (default: the cheapest).
    public var cappedTier: String?
    /// How many worst-case attempts a worker reserves at once for a team (a lease it draws on
    /// without a store transaction; see ``LeaseBook``); 0 reserves each attempt on its own.
    public var leaseAttempts: Int
    /// How long a worker reuses a team's budget position (spend, budget, soft limit) before
    /// reading it again, in milliseconds; 0 reads it for every request. Reservations always
    /// check the budget in their own transactions.
    public var statusCacheMs: Int

    public init(defaultMaxTokens: Int = 4096, reservationTTLSeconds: Double = 600, cappedTier: String? = nil, leaseAttempts: Int = 32,
                statusCacheMs: Int = 100) {
        self.defaultMaxTokens = defaultMaxTokens
        self.reservationTTLSeconds = reservationTTLSeconds
        self.cappedTier = cappedTier
        self.leaseAttempts = leaseAttempts
        self.statusCacheMs = statusCacheMs
    }
}

/// How a tier's answers are checked for quality.
public enum QualityMode: String, Sendable, Equatable, CaseIterable {
    /// Check every answer; a poor non-stream answer climbs; streams are checked and recorded only.
    case on
    /// As `on`, and streams are held until the whole answer is checked, so a poor one climbs too.
    case buffer
    /// No checks.
    case off
}

/// What Triage may keep of callers' queries.
public struct PrivacyConfig: Sendable, Equatable {
    /// Whether the misroute log keeps a query's text (otherwise only its hash and features).
    public var storeQueryText: Bool

    public init(storeQueryText: Bool = false) { self.storeQueryText = storeQueryText }
}
