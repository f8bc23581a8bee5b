/// Mutable state of a running simulated provider: behaviours in force and request counts.
actor SimState {
    private(set) var behaviours: [String: SimBehaviour]
    /// Chat requests seen per model since the last reset.
    private(set) var attempts: [String: Int] = [:]
    /// Chat requests per model since behaviours were last set or reset (drives `fail_first`).
    private var windowAttempts: [String: Int] = [:]
    private var windowStart: ContinuousClock.Instant
    /// Anthropic's prompt cache, simulated for the Messages API.
    private var promptCache = SimPromptCache()

    init(behaviours: [String: SimBehaviour], now: ContinuousClock.Instant = .now) {
        self.behaviours = behaviours
        self.windowStart = now
    }

    /// The behaviour for a model: its own entry, else `"*"`, else the default behaviour.
    func behaviour(for model: String) -> SimBehaviour {
        self.behaviours[model] ?? self.behaviours["*"] ?? SimBehaviour()
    }

    /// Counts a chat request for `model` and decides what to do with it; the behaviour returned has
    /// this request's turn of `ttft_cycle_ms` as its `ttft_ms`.
    func admit(model: String, now: ContinuousClock.Instant = .now) -> (SimBehaviour, SimAction) {
        self.attempts[model, default: 0] += 1
        self.windowAttempts[model, default: 0] += 1
        let attempt = self.windowAttempts[model, default: 1]
        let behaviour = self.behaviour(for: model).forAttempt(attempt)
        let action = SimAction.decide(
            behaviour: behaviour,
            attempt: attempt,
            elapsed: self.windowStart.duration(to: now)
        )
        return (behaviour, action)
    }

    /// Replaces every behaviour and restarts the `fail_first` and flapping windows.
    func replaceBehaviours(_ behaviours: [String: SimBehaviour], now: ContinuousClock.Instant = .now) {
        self.behaviours = behaviours
        self.windowAttempts = [:]
        self.windowStart = now
    }

    /// Looks a Messages request's marked prefixes up in the prompt cache and stores them.
    func usePromptCache(_ breakpoints: [SimPromptCache.Breakpoint], now: ContinuousClock.Instant = .now) -> (read: Int, written: Int) {
        promptCache.use(breakpoints, now: now)
    }

    /// Zeroes request counts, empties the prompt cache and restarts the `fail_first` and flapping windows.
    func reset(now: ContinuousClock.Instant = .now) {
        self.promptCache = SimPromptCache()
        self.attempts = [:]
        self.windowAttempts = [:]
        self.windowStart = now
    }
}
