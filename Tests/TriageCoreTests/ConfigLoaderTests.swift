import Testing
import TriageCore

@Suite struct ConfigLoaderTests {
    static let providers = """
    providers:
      sim: {kind: sim, port: 8090}
    """
    static let tier = "  - {name: cheap, provider: sim, model: m1, input_per_mtok: 0.1, output_per_mtok: 0.2}"
    static let minimal = providers + "\ntiers:\n" + tier

    /// The error loading `yaml` throws, or nil when it loads.
    func error(_ yaml: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try ConfigLoader.load(yaml: yaml, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    /// Expects loading `yaml` to fail on `field` with a problem containing `problem`.
    func expectError(_ yaml: String, field: String, problem: String, environment: [String: String] = [:],
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = error(yaml, environment: environment) else {
            Issue.record("expected an error on \(field)", sourceLocation: sourceLocation)
            return
        }
        #expect(e.field == field, sourceLocation: sourceLocation)
        #expect(e.problem.contains(problem), "\(e.problem)", sourceLocation: sourceLocation)
    }

    @Test func theDefaultConfigLoads() throws {
        let c = try ConfigLoader.load(yaml: DefaultConfig.yaml)
        #expect(c.listen == HostPort(host: "127.0.0.1", port: 8080))
        #expect(c.dataDir == "./data")
        #expect(c.runDir == "./data/run")
        #expect(c.tiers.map(\.name) == ["simple", "medium", "complex"])
        #expect(c.tiers.map(\.model) == ["gpt-4o-mini", "claude-sonnet-4-5", "claude-opus-4-1"])
        #expect(c.tiers[0].price == Price(inputPerMTok: 0.15, outputPerMTok: 0.60))
        #expect(c.tiers[2].price.outputNanoPerMTok == 75_000_000_000)
        #expect(c.tiers[0].timeoutSeconds == 120)
        #expect(c.tiers[0].connectTimeoutSeconds == 10)
        #expect(c.providers.count == 1)
        let sim = try #require(c.providers["sim"])
        #expect(sim == ProviderConfig(name: "sim", kind: .sim, baseURL: "http://127.0.0.1:8090/v1", port: 8090, ttftMs: 120, tpotMs: 8))
        #expect(c.provider(of: c.tiers[1]) == sim)
        #expect(c.classifier == ClassifierConfig(kind: "rules", rules: .init(simpleMaxWords: 20, complexMinWords: 100)))
        #expect(c.limits == Limits(maxBodyBytes: 4_194_304, maxFrameBytes: 8_388_608))
        #expect(c.workers == WorkerSettings(count: 2, capacity: 256, heartbeatSeconds: 1, staleSeconds: 5))
        #expect(c.shutdownGraceSeconds == 30)
        #expect(c.ladder == Ladder(tiers: c.tiers))
    }

    @Test func aMinimalConfigTakesDefaults() throws {
        let c = try ConfigLoader.load(yaml: Self.minimal)
        #expect(c.listen == HostPort(host: "127.0.0.1", port: 8080))
        #expect(c.dataDir == "./data")
        #expect(c.runDir == "./data/run")
        #expect(c.classifier == ClassifierConfig())
        #expect(c.limits == Limits())
        #expect(c.workers == WorkerSettings())
        #expect(c.shutdownGraceSeconds == 30)
    }

    @Test func providerURLsAreCompletedAndTrimmed() throws {
        let c = try ConfigLoader.load(yaml: """
        providers:
          sim: {kind: sim, port: 9000}
          oa: {kind: openai, base_url: "https://example.com/v1//", api_key_env: KEY}
          an: {kind: anthropic}
        tiers:
        \(Self.tier)
        """)
        #expect(c.providers["sim"]?.baseURL == "http://127.0.0.1:9000/v1")
        #expect(c.providers["oa"]?.baseURL == "https://example.com/v1")
        #expect(c.providers["oa"]?.apiKeyEnv == "KEY")
        #expect(c.providers["an"]?.baseURL == "https://api.anthropic.com")
    }

    @Test func classifierSettingsAreRead() throws {
        let c = try ConfigLoader.load(yaml: Self.minimal + """

        classifier: {simple_max_words: 5, complex_min_words: 50, keywords: [Haiku, "in detail"]}
        """)
        #expect(c.classifier.rules == .init(simpleMaxWords: 5, complexMinWords: 50, keywords: ["haiku", "in detail"]))
    }

    // MARK: - Validation errors name the field and the problem

    @Test func missingProviders() {
        expectError("tiers:\n" + Self.tier, field: "providers", problem: "is required")
        expectError("providers: {}\ntiers:\n" + Self.tier, field: "providers", problem: "is empty")
    }

    @Test func tierNamingAnUnknownProvider() {
        expectError(Self.providers + """

        tiers:
        \(Self.tier)
          - {name: big, provider: openai, model: m2, input_per_mtok: 1, output_per_mtok: 2}
        """, field: "tiers[1].provider", problem: "names provider 'openai', which is not under providers (have: sim)")
    }

    @Test func unknownProviderKind() {
        expectError("providers:\n  az: {kind: azure, port: 1}\ntiers:\n" + Self.tier,
                    field: "providers.az.kind", problem: "unknown provider kind 'azure'")
        expectError("providers:\n  az: {port: 1}\ntiers:\n" + Self.tier, field: "providers.az.kind", problem: "is required")
    }

    @Test func negativePrice() {
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: -1, output_per_mtok: 2}",
                    field: "tiers[0].input_per_mtok", problem: "must be at least 0")
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: 1, output_per_mtok: -0.5}",
                    field: "tiers[0].output_per_mtok", problem: "must be at least 0")
    }

    @Test func promptCacheMode() throws {
        let config = try ConfigLoader.load(yaml: """
        providers:
          claude: {kind: anthropic, api_key_env: K, prompt_cache: auto}
          plain: {kind: anthropic, api_key_env: K}
        tiers:
          - {name: a, provider: claude, model: m, input_per_mtok: 3, output_per_mtok: 15}
        """)
        #expect(config.providers["claude"]?.autoPromptCache == true)
        #expect(config.providers["plain"]?.autoPromptCache == false)
        expectError("providers:\n  o: {kind: openai, base_url: \"http://x/v1\", prompt_cache: auto}\ntiers:\n  - {name: a, provider: o, model: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "providers.o.prompt_cache", problem: "applies to kind: anthropic only (OpenAI caches prompts by itself)")
        expectError("providers:\n  c: {kind: anthropic, prompt_cache: always}\ntiers:\n  - {name: a, provider: c, model: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "providers.c.prompt_cache", problem: "expected auto or off, got 'always'")
    }

    @Test func promptCachePrices() throws {
        let config = try ConfigLoader.load(yaml: Self.providers + """

        tiers:
          - {name: a, provider: sim, model: m, input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3, cache_write_per_mtok: 3.75}
          - {name: b, provider: sim, model: n, input_per_mtok: 1, output_per_mtok: 2}
        """)
        #expect(config.tiers[0].price == Price(inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75))
        #expect(config.tiers[1].price.cachedInputNanoPerMTok == 1_000_000_000, "unset: the input price")
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: -1}",
                    field: "tiers[0].cached_input_per_mtok", problem: "must be at least 0")
    }

    @Test func priceThatIsNotANumber() {
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: cheap, output_per_mtok: 2}",
                    field: "tiers[0].input_per_mtok", problem: "expected a number, got 'cheap'")
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: .inf, output_per_mtok: 2}",
                    field: "tiers[0].input_per_mtok", problem: "expected a number")
    }

    @Test func missingPrice() {
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, output_per_mtok: 2}",
                    field: "tiers[0].input_per_mtok", problem: "is required")
    }

    @Test func badListen() {
        expectError("listen: localhost\n" + Self.minimal, field: "listen", problem: "expected host:port, got 'localhost'")
        expectError("listen: 127.0.0.1:99999\n" + Self.minimal, field: "listen", problem: "expected host:port")
        expectError("listen: 127.0.0.1:http\n" + Self.minimal, field: "listen", problem: "expected host:port")
    }

    @Test func unknownKeysAreTypos() {
        expectError(Self.providers + "\ntierz:\n" + Self.tier, field: "tierz", problem: "unknown key")
        expectError("providers:\n  sim: {kind: sim, prot: 1}\ntiers:\n" + Self.tier, field: "providers.sim.prot", problem: "unknown key")
        expectError(Self.providers + "\ntiers:\n  - {name: a, provider: sim, modle: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "tiers[0].modle", problem: "unknown key")
        expectError(Self.minimal + "\nworkers: {cuont: 3}", field: "workers.cuont", problem: "unknown key")
    }

    @Test func aliasesNameAutoATierOrAModel() throws {
        let config = try ConfigLoader.load(yaml: Self.minimal + "\naliases: {gpt-4o: auto, gpt-4: cheap, small: m1}")
        #expect(config.aliases == ["gpt-4o": "auto", "gpt-4": "cheap", "small": "m1"])
        #expect(try config.ladder.entry(for: "gpt-4o") == .auto)
        #expect(try ConfigLoader.load(yaml: Self.minimal).aliases.isEmpty)
        expectError(Self.minimal + "\naliases: {gpt-4o: gpt-5}", field: "aliases.gpt-4o", problem: "points at 'gpt-5', which is not auto, a tier or a configured model")
        expectError(Self.minimal + "\naliases: {a: auto, b: a}", field: "aliases.b", problem: "points at 'a'")
        expectError(Self.minimal + "\naliases: {m1: auto}", field: "aliases.m1", problem: "already auto, a tier or a configured model")
        expectError(Self.minimal + "\naliases: {auto: cheap}", field: "aliases.auto", problem: "already auto")
        expectError(Self.minimal + "\naliases: {x: [auto]}", field: "aliases.x", problem: "expected a string")
        expectError(Self.minimal + "\naliases: [auto]", field: "aliases", problem: "expected a mapping")
    }

    @Test func duplicateTierName() {
        expectError(Self.providers + "\ntiers:\n" + Self.tier + "\n" + Self.tier,
                    field: "tiers[1].name", problem: "tier 'cheap' is listed twice")
    }

    @Test func autoIsNotATierName() {
        expectError(Self.providers + "\ntiers:\n  - {name: auto, provider: sim, model: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "tiers[0].name", problem: "'auto' is reserved")
    }

    @Test func simWithoutPort() {
        expectError("providers:\n  sim: {kind: sim}\ntiers:\n" + Self.tier, field: "providers.sim.port", problem: "is required for kind: sim")
    }

    @Test func openAIWithoutBaseURL() {
        expectError("providers:\n  oa: {kind: openai}\ntiers:\n  - {name: a, provider: oa, model: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "providers.oa.base_url", problem: "is required for kind: openai")
        expectError("providers:\n  oa: {kind: openai, base_url: example.com}\ntiers:\n  - {name: a, provider: oa, model: m, input_per_mtok: 1, output_per_mtok: 2}",
                    field: "providers.oa.base_url", problem: "expected an http:// or https:// URL")
    }

    @Test func emptyOrMissingTiers() {
        expectError(Self.providers + "\ntiers: []", field: "tiers", problem: "is empty")
        expectError(Self.providers, field: "tiers", problem: "is required")
    }

    @Test func invalidYAML() {
        expectError("providers: [unclosed\ntiers: {", field: "", problem: "not valid YAML")
        expectError("", field: "", problem: "the file is empty")
        expectError("- just\n- a list", field: "", problem: "expected a mapping")
    }

    @Test func outOfRangeSettings() {
        expectError(Self.minimal + "\nlimits: {max_frame_bytes: 10}", field: "limits.max_frame_bytes", problem: "must be at least 1024, got 10")
        expectError(Self.minimal + "\nworkers: {capacity: many}", field: "workers.capacity", problem: "expected a whole number, got 'many'")
        expectError(Self.minimal + "\nclassifier: {simple_max_words: 50, complex_min_words: 10}",
                    field: "classifier.simple_max_words", problem: "must not exceed complex_min_words")
        expectError(Self.minimal + "\nclassifier: {kind: llm}", field: "classifier.kind", problem: "unknown classifier 'llm'")
        expectError(Self.minimal + "\nauth: {cache_s: 100000000000000000000.0}", field: "auth.cache_s", problem: "must be at most 3600")
    }

    /// Found by fuzzing the config loader: a huge price trapped converting it to nano-dollars, and
    /// any huge number of seconds or dollars could trap in the same way further on.
    /// A reservation that lapsed while its request still ran would stop counting against the
    /// budget, so the TTL has to outlast the request budget; budget leases are drawn on in the
    /// first half of what is left.
    @Test func theReservationTTLMustOutlastTheRequestBudget() throws {
        expectError(Self.minimal + "\nbudgets: {reservation_ttl_s: 120}", field: "budgets.reservation_ttl_s",
                    problem: "must exceed failover.request_budget_s (120.0 s against 300.0 s)")
        expectError(Self.minimal + "\nbudgets: {reservation_ttl_s: 10}\nfailover: {request_budget_s: 10}",
                    field: "budgets.reservation_ttl_s", problem: "must exceed failover.request_budget_s")
        let defaults = try ConfigLoader.load(yaml: Self.minimal)
        #expect(defaults.leaseWindowSeconds == 150)
        let short = try ConfigLoader.load(yaml: Self.minimal + "\nbudgets: {reservation_ttl_s: 5}\nfailover: {request_budget_s: 4}")
        #expect(short.leaseWindowSeconds == 0.5)
    }

    @Test func budgetSettingsAreReadAndRangeChecked() throws {
        let defaults = try ConfigLoader.load(yaml: Self.minimal).budgets
        #expect(defaults == BudgetConfig(defaultMaxTokens: 4096, reservationTTLSeconds: 600, leaseAttempts: 32, statusCacheMs: 100))
        let set = try ConfigLoader.load(yaml: Self.minimal + "\nbudgets: {lease_attempts: 0, status_cache_ms: 0, default_max_tokens: 512}").budgets
        #expect(set == BudgetConfig(defaultMaxTokens: 512, reservationTTLSeconds: 600, leaseAttempts: 0, statusCacheMs: 0))
        expectError(Self.minimal + "\nbudgets: {status_cache_ms: 60000}", field: "budgets.status_cache_ms", problem: "must be at most 5000")
        expectError(Self.minimal + "\nbudgets: {lease_attempts: -1}", field: "budgets.lease_attempts", problem: "must be at least 0")
    }

    @Test func hugeNumbersAreRefusedNotATrap() {
        let hugePrice = Self.providers + "\ntiers:\n  - {name: a, provider: sim, model: m, input_per_mtok: 2e76, output_per_mtok: 1}"
        expectError(hugePrice, field: "tiers[0].input_per_mtok", problem: "must be at most 100000")
        expectError(Self.minimal + "\nshutdown_grace_s: 1e30", field: "shutdown_grace_s", problem: "must be at most 1000000000")
        expectError(Self.minimal + "\nshadow: {sample_rate: 0, max_usd_per_day: 1e300}", field: "shadow.max_usd_per_day", problem: "must be at most")
    }

    @Test func errorDescriptionNamesTheField() {
        #expect(ConfigError(field: "tiers", problem: "is empty").description == "config: tiers: is empty")
        #expect(ConfigError(field: "", problem: "the file is empty").description == "config: the file is empty")
    }

    // MARK: - Environment overrides

    @Test func triageListenOverridesTheFile() throws {
        let c = try ConfigLoader.load(yaml: "listen: 127.0.0.1:8080\n" + Self.minimal, environment: ["TRIAGE_LISTEN": "0.0.0.0:9000"])
        #expect(c.listen == HostPort(host: "0.0.0.0", port: 9000))
        let bare = try ConfigLoader.load(yaml: Self.minimal, environment: ["TRIAGE_LISTEN": ":9001"])
        #expect(bare.listen == HostPort(host: "127.0.0.1", port: 9001))
        expectError(Self.minimal, field: "listen", problem: "got 'nonsense'", environment: ["TRIAGE_LISTEN": "nonsense"])
    }

    @Test func triagePortOverridesOnlyThePort() throws {
        let c = try ConfigLoader.load(yaml: "listen: 10.0.0.1:8080\n" + Self.minimal, environment: ["TRIAGE_PORT": "9100"])
        #expect(c.listen == HostPort(host: "10.0.0.1", port: 9100))
        let both = try ConfigLoader.load(yaml: Self.minimal, environment: ["TRIAGE_LISTEN": "0.0.0.0:1", "TRIAGE_PORT": "0"])
        #expect(both.listen == HostPort(host: "0.0.0.0", port: 0))
        expectError(Self.minimal, field: "TRIAGE_PORT", problem: "expected a port number, got 'http'", environment: ["TRIAGE_PORT": "http"])
        expectError(Self.minimal, field: "TRIAGE_PORT", problem: "got '70000'", environment: ["TRIAGE_PORT": "70000"])
    }

    @Test func triageDataDirOverridesAndMovesTheDefaultRunDir() throws {
        let c = try ConfigLoader.load(yaml: "data_dir: /srv/a\n" + Self.minimal, environment: ["TRIAGE_DATA_DIR": "/srv/b"])
        #expect(c.dataDir == "/srv/b")
        #expect(c.runDir == "/srv/b/run")
    }

    @Test func triageRunDirOverridesTheFile() throws {
        let c = try ConfigLoader.load(yaml: "run_dir: /srv/run\n" + Self.minimal, environment: ["TRIAGE_RUN_DIR": "/tmp/sockets"])
        #expect(c.runDir == "/tmp/sockets")
        #expect(c.dataDir == "./data")
    }

    // MARK: - Paths

    @Test func relativePathsResolveAgainstTheBaseDirectory() throws {
        let yaml = """
        data_dir: ./state
        run_dir: sockets
        providers:
          sim: {kind: sim, port: 8090, replay: replays/a.jsonl}
        tiers:
        \(Self.tier)
        """
        let c = try ConfigLoader.load(yaml: yaml, baseDirectory: "/etc/triage")
        #expect(c.dataDir == "/etc/triage/state")
        #expect(c.runDir == "/etc/triage/sockets")
        #expect(c.providers["sim"]?.replay == "/etc/triage/replays/a.jsonl")
        let slash = try ConfigLoader.load(yaml: yaml, baseDirectory: "/etc/triage/")
        #expect(slash.dataDir == "/etc/triage/state")
    }

    @Test func absolutePathsStayAsTheyAre() throws {
        let c = try ConfigLoader.load(yaml: "data_dir: /var/lib/triage\nrun_dir: /run/triage\n" + Self.minimal, baseDirectory: "/etc/triage")
        #expect(c.dataDir == "/var/lib/triage")
        #expect(c.runDir == "/run/triage")
    }

    @Test func runDirDefaultsToDataDirRun() throws {
        let c = try ConfigLoader.load(yaml: Self.minimal, baseDirectory: "/opt/triage")
        #expect(c.dataDir == "/opt/triage/data")
        #expect(c.runDir == "/opt/triage/data/run")
    }

    @Test func hostPortParsing() {
        #expect(HostPort("example.com:443") == HostPort(host: "example.com", port: 443))
        #expect(HostPort(":80") == HostPort(host: "127.0.0.1", port: 80))
        #expect(HostPort("[::1]:8080") == HostPort(host: "[::1]", port: 8080))
        #expect(HostPort("8080") == nil)
        #expect(HostPort("host:-1") == nil)
        #expect(HostPort(host: "h", port: 1).description == "h:1")
    }
}
