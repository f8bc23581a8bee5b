/// The fail-over decisions of one request, apart from all I/O: the worker makes an attempt,
/// reports its outcome, and does what the machine answers.
///
/// ```
///   firstTier(openCircuits:now:) ──▶ .attempt(tier)          (or .fail: every circuit open)
///        ┌──────────────────────────────────┘
///        ▼
///   attempt currentTier with limits(now:) ──▶ next(after: outcome, now:) ──▶ .succeed
///        ▲                                          │                     ├─▶ .fail(status, error)
///        ├────── wait d ◀── .retrySameModel(after: d)┤
///        └──────────────── .climb(toTier:reason:) ◀──┘
/// ```
///
/// Time comes in as `now` on every call (a `ContinuousClock.Instant`), and randomness (the
/// jitter of backoffs) from an injected generator, so the machine is deterministic under test.
public struct FailoverMachine: Sendable {
    /// One failed attempt, as the machine saw it.
    public struct Attempt: Sendable, Equatable {
        public var tier: Int
        public var kind: AttemptFailure.Kind
        public var status: Int?
    }

    /// An attempt that would start with less than this left of the request's budget is not
    /// started: it could not answer in time, and the provider would still see (and may bill) it.
    /// (Transport timers round to milliseconds and can fire a little before the deadline.)
    public static let minimumAttemptTime = Duration.milliseconds(50)

    public let policy: FailoverPolicy
    public let tiers: [TierConfig]
    /// The tier routing chose.
    public let startTier: Int
    /// The request's estimated size in tokens (prompt plus requested output), for context windows.
    public let estimatedTokens: Int
    /// The end of the request's time budget.
    public let deadline: ContinuousClock.Instant
    /// The tier of the attempt in progress (or of the last one).
    public private(set) var currentTier: Int
    /// Every failed attempt, in order.
    public private(set) var failures: [Attempt] = []
    /// Tiers passed over because their circuit was open.
    public private(set) var skippedForCircuit: [Int] = []

    private var random: any RandomNumberGenerator & Sendable
    private var attemptsPerModel: [String: Int] = [:]
    private var rateLimitRetries: [String: Int] = [:]
    private var retryAfterRetries: [String: Int] = [:]
    private var serverErrorRetries: [String: Int] = [:]
    private var openCircuits: Set<Int> = []
    private var leftModels: Set<String> = []
    private var unhealthyProviders: Set<String> = []
    private var requiredContext: Int?
    private var finished: FailoverAction?

    /// - Parameters:
    ///   - policy: Retry, backoff and time limits.
    ///   - tiers: The whole ladder, cheapest first.
    ///   - startTier: The tier routing chose.
    ///   - estimatedTokens: The request's estimated prompt tokens plus its `max_tokens`, if any.
    ///   - now: When the request started; the budget runs from here.
    ///   - random: The source of jitter (inject a fixed one in tests).
    public init(policy: FailoverPolicy, tiers: [TierConfig], startTier: Int, estimatedTokens: Int,
                now: ContinuousClock.Instant, random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.policy = policy
        self.tiers = tiers
        self.startTier = startTier
        self.estimatedTokens = estimatedTokens
        self.deadline = now + policy.requestBudget
        self.currentTier = startTier
        self.random = random
    }

    /// The tier of the attempt in progress.
    public var current: TierConfig { tiers[currentTier] }

    /// The first tier to try: the routed one, or the next one up whose circuit is not open.
    /// - Parameters:
    ///   - openCircuits: Tiers whose breaker is not available now (``CircuitBreaker/isAvailable(now:policy:)``).
    ///   - now: The current time.
    /// - Returns: `.attempt(tier:)`, or `.fail` when every tier from the routed one up is open.
    public mutating func firstTier(openCircuits: Set<Int> = [], now: ContinuousClock.Instant) -> FailoverAction {
        if let finished { return finished }
        self.openCircuits = openCircuits
        guard tiers.indices.contains(startTier) else {
            return finish(.fail(status: TriageError.upstreamFailed("no tier could be tried").status,
                                error: TriageError.upstreamFailed("no tier could be tried").body))
        }
        for i in startTier..<tiers.count {
            if eligible(i) {
                currentTier = i
                return .attempt(tier: i)
            }
            if openCircuits.contains(i) { skippedForCircuit.append(i) }
        }
        return finish(exhausted(lastReason: .circuitOpen))
    }

    /// The time limits of the attempt about to start on ``currentTier``.
    public func limits(now: ContinuousClock.Instant) -> AttemptLimits {
        let left = max(now.duration(to: deadline), .zero)
        return AttemptLimits(firstByte: min(policy.firstByteTimeout, left),
                             firstToken: min(policy.firstTokenTimeout, left),
                             streamIdle: min(policy.streamIdleTimeout, left),
                             total: min(Duration.seconds(double: current.timeoutSeconds), left),
                             deadline: deadline)
    }

    /// Decides what follows an attempt on ``currentTier``.
    /// - Parameters:
    ///   - outcome: What the attempt came to.
    ///   - now: The current time.
    public mutating func next(after outcome: AttemptOutcome, now: ContinuousClock.Instant) -> FailoverAction {
        if let finished { return finished }
        let failure: AttemptFailure
        switch outcome {
        case .success:
            return finish(.succeed)
        case .circuitOpen:
            openCircuits.insert(currentTier)
            skippedForCircuit.append(currentTier)
            return climb(.circuitOpen, now: now)
        case .failure(let f):
            failure = f
        }
        let model = modelKey(currentTier)
        attemptsPerModel[model, default: 0] += 1
        failures.append(Attempt(tier: currentTier, kind: failure.kind, status: failure.status))

        // The client left: nothing to deliver, whatever had reached it (logged as 499).
        if failure.kind == .cancelled { return finish(fail(.cancelled)) }
        if failure.deliveredToClient {
            return finish(fail(.streamInterrupted(failure.message)))
        }
        if now >= deadline { return finish(budgetSpent()) }

        switch failure.kind {
        case .rateLimited:
            if let seconds = failure.retryAfter {
                let wait = Duration.seconds(double: max(seconds, 0))
                guard wait <= policy.retryAfterCap, retryAfterRetries[model, default: 0] < 1 else {
                    return climb(.retryAfterTooLong(wait), now: now)
                }
                retryAfterRetries[model, default: 0] += 1
                return retry(after: max(wait, policy.backoffFloor), now: now, else: .retryAfterTooLong(wait))
            }
            let n = rateLimitRetries[model, default: 0] + 1
            guard n <= policy.rateLimitRetries else { return climb(.failed(.rateLimited), now: now) }
            rateLimitRetries[model] = n
            return retry(after: Backoff.delay(retry: n, policy: policy, random: &random), now: now, else: .failed(.rateLimited))
        case .serverError, .reset:
            let retryable = failure.kind == .reset || failure.status.map(FailoverPolicy.retryableStatuses.contains) ?? true
            let n = serverErrorRetries[model, default: 0] + 1
            guard retryable, n <= policy.serverErrorRetries else { return climb(.failed(failure.kind), now: now) }
            serverErrorRetries[model] = n
            return retry(after: Backoff.delay(retry: n, policy: policy, random: &random), now: now, else: .failed(failure.kind))
        case .connect, .timeout, .firstByteTimeout, .firstTokenTimeout, .streamStalled, .streamCut, .malformed, .unsupported, .lowQuality:
            return climb(.failed(failure.kind), now: now)
        case .authError:
            unhealthyProviders.insert(current.provider)
            return climb(.providerMisconfigured(provider: current.provider), now: now)
        case .contextLengthExceeded:
            let needed = max(estimatedTokens, (current.contextWindow ?? 0) + 1, requiredContext ?? 0)
            requiredContext = needed
            return climb(.contextWindow(needed: needed), now: now)
        case .contentFilter:
            if policy.climbOnContentFilter { return climb(.failed(.contentFilter), now: now) }
            return finish(.fail(status: failure.status ?? 400,
                                error: failure.providerError ?? FailoverError.contentFiltered(failure.message).body))
        case .clientError:
            let status = failure.status ?? 400
            return finish(.fail(status: status, error: failure.providerError
                ?? OpenAIErrorBody(message: "The provider refused the request: \(failure.message)",
                                   type: "invalid_request_error", code: "upstream_rejected")))
        case .cancelled:
            return finish(fail(.cancelled))
        }
    }

    // MARK: Steps

    private mutating func retry(after wait: Duration, now: ContinuousClock.Instant, else reason: ClimbReason) -> FailoverAction {
        let model = modelKey(currentTier)
        guard attemptsPerModel[model, default: 0] < policy.maxAttemptsPerModel else {
            return climb(.attemptsExhausted, now: now)
        }
        // Never two attempts on one model closer than the floor.
        let wait = max(wait, policy.backoffFloor)
        guard now + wait + Self.minimumAttemptTime < deadline else { return climb(reason, now: now) }
        return .retrySameModel(after: wait)
    }

    /// Whether a tier above the current one could take the request now (for a low-quality
    /// answer: climb only when there is somewhere to go, otherwise keep the answer).
    public func canClimb(now: ContinuousClock.Instant) -> Bool {
        guard now < deadline else { return false }
        return (currentTier + 1..<tiers.count).contains { eligible($0) && $0 != currentTier }
    }

    private mutating func climb(_ reason: ClimbReason, now: ContinuousClock.Instant) -> FailoverAction {
        leftModels.insert(modelKey(currentTier))
        if now + Self.minimumAttemptTime >= deadline { return finish(budgetSpent()) }
        var i = currentTier + 1
        while i < tiers.count {
            if eligible(i) {
                currentTier = i
                return .climb(toTier: i, reason: reason)
            }
            if openCircuits.contains(i) { skippedForCircuit.append(i) }
            i += 1
        }
        return finish(exhausted(lastReason: reason))
    }

    private func eligible(_ i: Int) -> Bool {
        let t = tiers[i]
        if openCircuits.contains(i) || unhealthyProviders.contains(t.provider) || leftModels.contains(modelKey(i)) { return false }
        if attemptsPerModel[modelKey(i), default: 0] >= policy.maxAttemptsPerModel { return false }
        if let needed = requiredContext, let window = t.contextWindow, window < needed { return false }
        return true
    }

    private func modelKey(_ i: Int) -> String { tiers[i].provider + "/" + tiers[i].model }

    private mutating func finish(_ action: FailoverAction) -> FailoverAction {
        finished = action
        return action
    }

    private func fail(_ e: FailoverError) -> FailoverAction { .fail(status: e.status, error: e.body) }

    private func budgetSpent() -> FailoverAction {
        let e = TriageError.timeout("the request's time budget of \(policy.requestBudget) ran out"
                                    + (failures.isEmpty ? "" : " after " + summary))
        return .fail(status: e.status, error: e.body)
    }

    /// No tier left to climb to.
    private func exhausted(lastReason: ClimbReason) -> FailoverAction {
        if case .contextWindow = lastReason {
            let largest = tiers[startTier...].compactMap(\.contextWindow).max()
            return fail(.contextLengthExceeded(estimatedTokens: estimatedTokens, largestWindow: largest))
        }
        if failures.isEmpty, !skippedForCircuit.isEmpty {
            return fail(.circuitOpen(tiers: skippedForCircuit.map { tiers[$0].name + "/" + tiers[$0].model }))
        }
        var why = summary
        if !skippedForCircuit.isEmpty {
            why += "; circuit open: " + skippedForCircuit.map { tiers[$0].name + "/" + tiers[$0].model }.joined(separator: ", ")
        }
        if !unhealthyProviders.isEmpty {
            why += "; provider " + unhealthyProviders.sorted().map { "'\($0)'" }.joined(separator: ", ")
                + " is misconfigured: it refused Triage's credentials (HTTP 401/403); check its api_key_env"
        }
        let e = TriageError.upstreamFailed(why.isEmpty ? "no tier could be tried" : why)
        return .fail(status: e.status, error: e.body)
    }

    /// `simple/gpt-4o-mini=server_error(503), ...` of the failed attempts.
    public var summary: String {
        failures.map { a in
            "\(tiers[a.tier].name)/\(tiers[a.tier].model)=\(a.kind.rawValue)" + (a.status.map { "(\($0))" } ?? "")
        }.joined(separator: ", ")
    }
}
