import Foundation
import Logging
import TriageCore
import TriageStore
import TriageUpstream
import TriageWire

/// Serves one request: classify, reserve budget, call the tier's model, climb the ladder on
/// failure, settle the cost in the ledger, reply over the wire and write the request log.
struct LadderRunner: Sendable {
    typealias Send = @Sendable (WireMessage) async -> Void

    let config: TriageConfig
    let classifiers: ClassifierSource
    let providers: ProviderSet
    let store: Store
    let budget: BudgetGuard
    let circuits: CircuitRegistry
    let quality: QualityChecker
    let workerID: String
    let logger: Logger
    /// Shadow comparison across tiers, when `shadow` is on.
    var shadow: ShadowRunner? = nil
    /// The judge, for tiers with `quality_judge`.
    var judge: JudgeClient? = nil

    /// What one served request came to, for the headers and the request log.
    struct Outcome {
        var tier: String?
        var model: String?
        var provider: String?
        var reason: String?
        var status = 200
        var errorType: String?
        var usage: Usage?
        /// Everything charged for the request: the answer plus any usage billed for failed attempts.
        var cost = Money.zero
        var attempts: [AttemptRecord] = []
        var upstreamMs = 0.0
        var capped = false
        var budget: BudgetStatus?
        /// The position of the caller key's own budget, when it has one, as its last reservation read it.
        var keyBudget: KeyBudgetStatus?
        /// Quality problems of the answer returned (recorded when there was no tier to climb to).
        var qualityIssues: [QualityIssue] = []
        /// The routing decision, for the misroute log.
        var decision: RoutingDecision?
        /// The classifier that decided (`rules`, `learned:v3`).
        var classifier = "rules"
        /// The highest tier the request may use (`x-triage-max-tier` or the team's policy), nil for the top.
        var maxTierIndex: Int?
        /// The answer text the client got, and the ladder index of the tier that gave it.
        var answer: String?
        var tierIndex: Int?
        /// The judge quality check's grade (`7/10`) or why there is none.
        var judgeNote: String?
    }

    /// How one attempt ended.
    enum AttemptResult {
        /// A whole answer (non-stream), not yet sent, with the tool calls it makes.
        case answered(body: JSONValue, usage: Usage, toolCalls: [AnswerToolCall])
        /// A stream relayed to its end (`end` not yet sent); `started` tells whether `head` went out;
        /// `issues` are quality problems found (recorded, since the answer was already delivered);
        /// `answer` is its text, nil when it called tools (nothing for a shadow comparison to judge).
        case streamed(usage: Usage, started: Bool, issues: [QualityIssue], answer: String?)
        case failed(AttemptFailure, billed: Usage?)
    }

    /// Serves one request, replying through `send`.
    /// - Parameter executor: the executor the request runs on (its connection's event loop), where
    ///   its streams' events are parsed too.
    func serve(_ request: WireRequest, executor: (any TaskExecutor)? = nil, send: @escaping Send) async {
        let started = ContinuousClock.now
        var outcome = Outcome()
        var stream = false
        do throws(TriageError) {
            let chat = try ChatRequest(body: request.body)
            stream = chat.stream
            let controls = classifiers.controls(for: request)
            let status = try budget.status(of: request.caller)
            // The judge's rating call is paid from the team's budget, reserved first (none when it cannot be afforded).
            let routed = try await classifiers.decide(chat, controls: controls, requestID: request.id, judgeBudget: judgeBudget(request, team: status?.team))
            var decision = controls.capped(routed.decision, ladder: config.ladder)
            outcome.classifier = routed.label
            outcome.maxTierIndex = controls.maxTierIndex
            outcome.reason = decision.reason
            outcome.decision = decision
            if let status {
                outcome.budget = status
                decision = cap(decision, status: status, outcome: &outcome)
            }
            if let call = routed.judgeCall { outcome.cost += call.cost }  // charged to the team by the judge step
            try await climb(request: request, chat: chat, decision: decision, outcome: &outcome, executor: executor, send: send)
            offerShadow(request: request, chat: chat, outcome: outcome)
        } catch {
            outcome.status = error.status
            outcome.errorType = error.body.code
            var replyHeaders = outcome.tier == nil ? nil : headers(request, outcome: outcome, withCost: true)
            if let retry = error.shouldRetry { replyHeaders = (replyHeaders ?? [:]).merging(["x-should-retry": String(retry)]) { _, new in new } }
            await send(.error(WireErrorMessage(id: request.id, status: error.status, error: error.body, headers: replyHeaders)))
        }
        await log(request: request, stream: stream, outcome: outcome, latency: started.duration(to: .now))
    }

    /// Past its soft limit, a team's requests start no higher than the capped tier.
    private func cap(_ decision: RoutingDecision, status: BudgetStatus, outcome: inout Outcome) -> RoutingDecision {
        guard status.isPastSoftLimit else { return decision }
        let capIndex = config.budgets.cappedTier.flatMap { name in config.tiers.firstIndex { $0.name == name } } ?? 0
        guard decision.tierIndex > capIndex else { return decision }
        outcome.capped = true
        let t = config.tiers[capIndex]
        return RoutingDecision(tierIndex: capIndex, tier: t.name, model: t.model,
                               reason: decision.reason + "; capped at \(t.name): team past its soft budget limit", score: decision.score)
    }

    private func climb(request: WireRequest, chat: ChatRequest, decision: RoutingDecision, outcome: inout Outcome,
                       executor: (any TaskExecutor)?, send: @escaping Send) async throws(TriageError) {
        outcome.reason = decision.reason
        let tiers = Array(config.tiers.prefix((outcome.maxTierIndex ?? config.tiers.count - 1) + 1))
        var machine = FailoverMachine(policy: config.failover.policy, tiers: tiers, startTier: decision.tierIndex,
                                      estimatedTokens: TokenEstimate.promptTokens(chat) + (chat.maxTokens ?? 0), now: .now)
        var action = machine.firstTier(openCircuits: circuits.openTiers(tiers), now: .now)
        var announced = false
        while true {
            switch action {
            case .succeed:
                return
            case .fail(let status, let error):
                outcome.status = status
                outcome.errorType = error.code ?? error.type
                // Sent even for a client that left (499): it ends the request's entry in the coordinator.
                await send(.error(WireErrorMessage(id: request.id, status: status, error: error, headers: headers(request, outcome: outcome, withCost: true))))
                return
            case .retrySameModel(let delay):
                try? await Task.sleep(for: delay)
                if Task.isCancelled {
                    action = machine.next(after: .failure(AttemptFailure(kind: .cancelled, message: "the client went away")), now: .now)
                    continue
                }
            case .attempt, .climb:
                break
            }
            let tier = machine.current
            guard await circuits.admit(tier) else {
                action = machine.next(after: .circuitOpen, now: .now)
                continue
            }
            let reservation = try await budget.reserve(request.caller, team: outcome.budget?.team, requestID: request.id,
                                                 amount: CostEstimate.worstCase(chat, price: tier.price, defaultMaxTokens: config.budgets.defaultMaxTokens))
            if let key = reservation.key { outcome.keyBudget = key }
            if !announced {
                await send(.sent(id: request.id))
                announced = true
            }
            outcome.tier = tier.name
            outcome.model = tier.model
            outcome.provider = tier.provider
            let limits = machine.limits(now: .now)
            let canClimb = machine.canClimb(now: .now)
            let watchdog = AttemptWatchdog(limits: limits, stream: chat.stream)
            let call = UpstreamCall(body: chat.upstreamBody(model: tier.model), tier: tier, provider: config.provider(of: tier),
                                    apiKey: providers.apiKey(for: tier.provider), progress: watchdog, timeout: limits.total, executor: executor)
            let provider = providers.provider(named: tier.provider)
            let attemptStart = ContinuousClock.now
            let judgeCheck = qualityJudge(request, tier: tier, team: outcome.budget?.team)
            let snapshot = outcome
            // What a worker killed during the call leaves the provider's bill at: the prompt, then a
            // stream's text as it goes (charged by the next reclaim pass unless the attempt settles).
            let checkpoints = AttemptCheckpoints(budget: budget, reservation: reservation) { [self] usage in
                ledgerEntry(request, tier: tier, usage: usage, cost: tier.price.cost(usage), outcome: "worker_lost")
            }
            checkpoints.write(Self.estimate(chat: chat, answerBytes: 0), answerBytes: 0)
            let result: AttemptResult = chat.stream
                ? await watchdog.guarding { await self.streamAttempt(provider, call, request: request, chat: chat, outcome: snapshot, watchdog: watchdog, canClimb: canClimb, judgeCheck: judgeCheck, checkpoints: checkpoints, send: send) }
                : await watchdog.guarding { await self.completeAttempt(provider, call, chat: chat) }
            let ms = attemptStart.duration(to: .now).milliseconds
            outcome.upstreamMs += ms

            var usage: Usage?
            var failure: AttemptFailure?
            switch result {
            case .answered(let body, let u, let toolCalls):
                usage = u
                // A poor answer climbs when there is a tier above to climb to; otherwise it is the best there is.
                let finishReason = Self.finishReason(of: body)
                let reported = u.estimated ? nil : u.completionTokens
                if tier.quality != .off {
                    let issues = quality.check(answer: Self.content(of: body), finishReason: finishReason, request: chat, toolCalls: toolCalls,
                                               completionTokens: reported)
                    if !issues.isEmpty {
                        outcome.qualityIssues = issues
                        if canClimb {
                            failure = AttemptFailure(kind: .lowQuality, message: issues.map(\.description).joined(separator: "; "), status: 200)
                        }
                    }
                }
                // The judge grades text answers; a tool call is judged by the checks above, and an
                // answer cut at the request's own max_tokens would be cut on every tier.
                if failure == nil, tier.quality != .off, outcome.qualityIssues.isEmpty, toolCalls.isEmpty, let judgeCheck,
                   !QualityChecker.stoppedAtClientLimit(finishReason: finishReason, request: chat, completionTokens: reported) {
                    // The answer is in and billed: a worker killed while the judge grades it charges it whole.
                    checkpoints.write(u, answerBytes: 0)
                    if let issue = await judgeCheck.check(question: chat.query, answer: Self.content(of: body)) {
                        outcome.qualityIssues = [issue]
                        if canClimb { failure = AttemptFailure(kind: .lowQuality, message: issue.description, status: 200) }
                    }
                }
            case .streamed(let u, _, let issues, _):
                usage = u
                if !issues.isEmpty { outcome.qualityIssues = issues }
            case .failed(var f, let billed):
                // A limit that fired is the real cause of the cancellation.
                if f.kind == .cancelled, let fired = watchdog.fired, fired != .cancelled { f.kind = fired; f.message = "\(fired.rawValue) after \(Int(ms)) ms" }
                usage = billed ?? f.billedUsage
                failure = f
            }
            let cost = usage.map(tier.price.cost) ?? .zero
            outcome.cost += cost
            outcome.attempts.append(AttemptRecord(tier: tier.name, model: tier.model, outcome: failure?.kind.rawValue ?? "ok",
                                                  status: failure == nil ? 200 : failure?.status, ms: ms, message: failure?.message,
                                                  providerRequestID: watchdog.providerRequestID))
            // The judge check's call settled its own reservation; its cost is the request's too.
            if let judgeCheck { noteJudgeCheck(judgeCheck, kept: failure == nil, outcome: &outcome) }
            let entry = checkpoints.dated(ledgerEntry(request, tier: tier, usage: usage, cost: cost, outcome: failure?.kind.rawValue ?? "ok"))
            // A whole answer goes out before its settlement commits when the settlement is journaled
            // (BudgetGuard.journal): a worker killed in between still charges it, and the commit
            // is shared with the other answers' settlements.
            var journaled: BudgetGuard.Journaled?
            if failure == nil, case .answered = result { journaled = budget.journal(reservation, entry) }
            // A journaled settlement stands in for the checkpoint (a reclaim pass charges it instead).
            let settled = if journaled != nil { true } else { await settle(reservation, entry) }
            if settled { checkpoints.dismiss() }
            await circuits.record(tier, failure.map(\.circuitEffect) ?? .success)

            if let f = failure, f.kind == .lowQuality {
                logger.info("low-quality answer; climbing", metadata: ["triage.request": "\(request.id)", "triage.tier": "\(tier.name)",
                                                                       "triage.quality": "\(f.message)"])
                outcome.qualityIssues = []  // they belonged to the answer left behind
                action = machine.next(after: .failure(f), now: .now)
                continue
            }
            switch result {
            case .answered(var body, let u, let toolCalls):
                outcome.usage = u
                if shadow != nil, toolCalls.isEmpty { outcome.answer = Self.content(of: body) }
                outcome.tierIndex = tiers.firstIndex { $0.name == tier.name }
                if body["usage"] == nil || u.estimated { body["usage"] = u.openAIValue }
                await send(.response(WireResponse(id: request.id, status: 200, headers: headers(request, outcome: outcome, withCost: true), body: body, usage: u)))
                // The loop flushes the answer once this task yields: now, not after the request log's entry.
                await Task.yield()
                if let journaled { settleLater(journaled) }
                return
            case .streamed(let u, let started, _, let answer):
                outcome.usage = u
                outcome.answer = answer
                outcome.tierIndex = tiers.firstIndex { $0.name == tier.name }
                if !started {
                    await send(.head(id: request.id, status: 200, headers: headers(request, outcome: outcome, withCost: false)))
                }
                await send(.end(WireEnd(id: request.id, usage: u, costUSD: outcome.cost.description, attempts: outcome.attempts.count,
                                          upstreamMs: outcome.upstreamMs)))
                return
            case .failed:
                let f = failure!
                logger.info("attempt failed", metadata: ["triage.request": "\(request.id)", "triage.tier": "\(tier.name)",
                                                         "triage.model": "\(tier.model)", "triage.failure": "\(f)"])
                action = machine.next(after: .failure(f), now: .now)
            }
        }
    }

    private func ledgerEntry(_ request: WireRequest, tier: TierConfig, usage: Usage?, cost: Money, outcome: String) -> LedgerEntry {
        LedgerEntry(teamID: request.caller.teamID, requestID: request.id, createdAt: budget.now(), tier: tier.name, model: tier.model,
                    promptTokens: usage?.promptTokens ?? 0, completionTokens: usage?.completionTokens ?? 0,
                    usageEstimated: usage?.estimated ?? false, costNano: cost.nanoUSD, outcome: outcome,
                    keyID: request.caller.keyID, endUser: request.endUser, budgetKeyID: request.caller.budgetKeyID,
                    cachedTokens: usage?.cachedTokens ?? 0, cacheWriteTokens: usage?.cacheWriteTokens ?? 0)
    }

    /// - Returns: whether the settlement committed.
    @discardableResult
    private func settle(_ reservation: BudgetGuard.Reservation, _ entry: LedgerEntry) async -> Bool {
        do {
            try await budget.settle(reservation, entry)
            return true
        } catch {
            logger.error("ledger write failed", metadata: ["triage.request": "\(entry.requestID)", "error": "\(error)"])
            return false
        }
    }

    private func settleLater(_ journaled: BudgetGuard.Journaled) {
        budget.settleLater(journaled) { [logger] error in
            logger.error("ledger write failed; the settlement stays journaled, to be charged once this worker stops",
                         metadata: ["triage.request": "\(journaled.entry.requestID)", "error": "\(error)"])
        }
    }

    /// One non-stream attempt.
    private func completeAttempt(_ provider: any ChatProvider, _ call: UpstreamCall, chat: ChatRequest) async -> AttemptResult {
        do {
            let completion = try await provider.complete(call)
            let toolCalls = AnswerToolCall.calls(inCompletion: completion.body)
            let usage = completion.usage ?? Self.estimate(chat: chat, answerBytes: Self.content(of: completion.body).utf8.count
                + toolCalls.reduce(0) { $0 + $1.name.utf8.count + $1.arguments.utf8.count })
            return .answered(body: completion.body, usage: usage, toolCalls: toolCalls)
        } catch {
            return .failed(error, billed: nil)
        }
    }

    /// One stream attempt: relays chunks as they come. The first `hold_back_tokens` tokens (or
    /// `hold_back_ms`) are held, so a failure in that window can still climb invisibly; `head`
    /// goes out with the first chunk released.
    private func streamAttempt(_ provider: any ChatProvider, _ call: UpstreamCall, request: WireRequest, chat: ChatRequest,
                               outcome: Outcome, watchdog: AttemptWatchdog, canClimb: Bool, judgeCheck: QualityJudge? = nil,
                               checkpoints: AttemptCheckpoints, send: @escaping Send) async -> AttemptResult {
        let clientWantsUsage = chat.body["stream_options"]?["include_usage"]?.boolValue == true
        let holdTokens = config.failover.holdBackTokens
        let holdFor = Duration.milliseconds(Int64(config.failover.holdBackMs))
        let buffered = call.tier.quality == .buffer
        var answer = ""
        var finishReason: String?
        var held: [String] = []
        var firstToken: ContinuousClock.Instant?
        var tokens = 0
        var started = false
        var usage: Usage?
        var finished = false
        /// The choices that have their finish reason: with `n` > 1 the answer is finished once all have.
        var finishedChoices = Set<Int>()
        var sawDone = false
        var contentBytes = 0
        var toolCalls = ToolCallAccumulator()

        /// What an attempt that ends early (cut, stalled, cancelled) has cost when the provider
        /// reported no usage (OpenAI-style streams report it last): the prompt and the text
        /// generated so far, estimated; nil when nothing was generated.
        func generated() -> Usage? {
            contentBytes > 0 ? Self.estimate(chat: chat, answerBytes: contentBytes) : nil
        }

        func release() async {
            if !started {
                var o = outcome
                o.attempts.append(AttemptRecord(tier: call.tier.name, model: call.tier.model, outcome: "ok", status: 200, ms: 0,
                                                providerRequestID: watchdog.providerRequestID))
                await send(.head(id: request.id, status: 200, headers: headers(request, outcome: o, withCost: false)))
                started = true
            }
            for data in held { await send(.chunk(id: request.id, data: data)) }
            held.removeAll()
        }

        do {
            loop: for try await item in provider.stream(call) {
                switch item {
                case .done:
                    sawDone = true
                    break loop
                case .skipped(let reason):
                    logger.warning("skipped a malformed stream event", metadata: ["triage.request": "\(request.id)", "reason": "\(reason)"])
                case .chunk(let data, let json):
                    if let u = Usage(openAI: json["usage"]) { usage = u }
                    if let choice = json["choices"]?.arrayValue?.first {
                        // With `n` > 1 the first choice is the one checked (as a whole answer's is);
                        // every choice's pieces count as generated tokens.
                        let index = choice["index"]?.intValue ?? 0
                        if let text = choice["delta"]?["content"]?.stringValue, !text.isEmpty {
                            if index == 0, call.tier.quality != .off || shadow != nil { answer += text }
                            contentBytes += text.utf8.count
                            tokens += 1
                            if firstToken == nil { firstToken = .now }
                            watchdog.tokenReceived()
                        }
                        // A tool call's pieces are the answer's tokens too (for hold-back, limits and estimates).
                        if let delta = choice["delta"], case let bytes = index == 0 ? toolCalls.add(delta: delta) : ToolCallAccumulator.bytes(in: delta), bytes > 0 {
                            contentBytes += bytes
                            tokens += 1
                            if firstToken == nil { firstToken = .now }
                            watchdog.tokenReceived()
                        }
                        if let reason = choice["finish_reason"]?.stringValue {
                            if index == 0 { finishReason = reason }
                            finishedChoices.insert(index)
                            if finishedChoices.count >= chat.choices {
                                finished = true
                                watchdog.answerFinished()
                            }
                        }
                    } else if !clientWantsUsage {
                        if finished && usage != nil { break loop }
                        continue
                    }
                    held.append(data)
                    // `quality: buffer` holds the whole answer until it is checked.
                    let holding = buffered || (!finished && (tokens < holdTokens || (firstToken.map { $0.duration(to: .now) < holdFor } ?? (holdFor > .zero))))
                    if !holding { await release() }
                    if finished && usage != nil { break loop }  // finish promptly, without waiting for [DONE]
                    // Checkpoints start once the client has text (not while the first tokens are held back),
                    // or, for an answer held whole until it is checked, with its first text.
                    if started || buffered, !finished, checkpoints.isDue(answerBytes: contentBytes) {
                        if started { await Task.yield() }  // the chunks just sent leave first
                        checkpoints.write(Self.estimate(chat: chat, answerBytes: contentBytes), answerBytes: contentBytes)
                    }
                }
            }
        } catch var failure as AttemptFailure {
            failure.deliveredToClient = started
            return .failed(failure, billed: usage ?? failure.billedUsage ?? generated())
        } catch {
            if !finished {
                return .failed(AttemptFailure(kind: .cancelled, message: "\(error)", deliveredToClient: started), billed: usage ?? generated())
            }
        }
        if Task.isCancelled && !finished {
            return .failed(AttemptFailure(kind: .cancelled, message: "the attempt was stopped", deliveredToClient: started), billed: usage ?? generated())
        }
        if !finished && !sawDone {
            return .failed(AttemptFailure(kind: .streamCut, message: "the stream ended before the answer finished", deliveredToClient: started),
                           billed: usage ?? generated())
        }
        let textAnswer = toolCalls.isEmpty ? answer : nil
        if call.tier.quality != .off {
            let reported = usage.flatMap { $0.estimated ? nil : $0.completionTokens }
            var issues = quality.check(answer: answer, finishReason: finishReason, request: chat, toolCalls: toolCalls.calls,
                                       completionTokens: reported)
            // The judge grades a text answer held whole (`quality: buffer`) that passed the other checks
            // and was not cut at the request's own max_tokens.
            if issues.isEmpty, buffered, !started, toolCalls.isEmpty, let judgeCheck,
               !QualityChecker.stoppedAtClientLimit(finishReason: finishReason, request: chat, completionTokens: reported) {
                // The answer is in and billed: a worker killed while the judge grades it charges it whole.
                checkpoints.write(usage ?? Self.estimate(chat: chat, answerBytes: contentBytes), answerBytes: contentBytes)
                if let issue = await judgeCheck.check(question: chat.query, answer: answer) { issues = [issue] }
            }
            if !issues.isEmpty {
                // Held whole (`quality: buffer`) and a tier above: climb; otherwise record only.
                if !started && buffered && canClimb {
                    return .failed(AttemptFailure(kind: .lowQuality, message: issues.map(\.description).joined(separator: "; "), status: 200),
                                   billed: usage ?? Self.estimate(chat: chat, answerBytes: contentBytes))
                }
                await release()
                return .streamed(usage: usage ?? Self.estimate(chat: chat, answerBytes: contentBytes), started: started, issues: issues, answer: textAnswer)
            }
        }
        await release()
        return .streamed(usage: usage ?? Self.estimate(chat: chat, answerBytes: contentBytes), started: started, issues: [], answer: textAnswer)
    }

    /// The `x-triage-*` headers of the answer, and `x-request-id` (the same id, where OpenAI's SDKs
    /// look for a response's id: `_request_id`).
    private func headers(_ request: WireRequest, outcome: Outcome, withCost: Bool) -> [String: String] {
        var h: [String: String] = [
            "x-triage-request-id": request.id,
            "x-request-id": request.id,
            "x-triage-tier": outcome.tier ?? "",
            "x-triage-model": outcome.model ?? "",
            "x-triage-attempts": String(outcome.attempts.count),
            "x-triage-worker": workerID,
            "x-triage-reason": outcome.reason ?? "",
        ]
        let failures = outcome.attempts.filter { $0.outcome != "ok" }
        if !failures.isEmpty {
            let list = failures.map(\.summary).joined(separator: ", ")
            h["x-triage-reason"] = (outcome.reason ?? "") + "; climbed after " + list
            h["x-triage-fallbacks"] = list
        }
        if withCost {
            h["x-triage-cost-usd"] = outcome.cost.description
            h["x-triage-upstream-ms"] = outcome.upstreamMs.fixed(2)
        }
        h["x-triage-classifier"] = outcome.classifier
        if !outcome.qualityIssues.isEmpty { h["x-triage-quality"] = outcome.qualityIssues.map(\.kind.rawValue).joined(separator: ", ") }
        if let j = outcome.judgeNote { h["x-triage-judge"] = j }
        if outcome.capped { h["x-triage-budget-capped"] = "true" }
        if let key = outcome.keyBudget {
            h["x-triage-key-budget-remaining-usd"] = Money(nanoUSD: key.budgetNano - key.spentNano - outcome.cost.nanoUSD).description
        }
        if let status = outcome.budget, let remaining = status.remainingNano {
            h["x-triage-budget-remaining-usd"] = Money(nanoUSD: remaining - outcome.cost.nanoUSD).description
        }
        return h
    }

    private func log(request: WireRequest, stream: Bool, outcome: Outcome, latency: Duration) async {
        let entry = RequestLogEntry(
            id: request.id, createdAt: Date(), teamID: request.caller.teamID, workerID: workerID,
            tier: outcome.tier, model: outcome.model, provider: outcome.provider, reason: outcome.reason,
            stream: stream, attempts: outcome.attempts.count, attemptLog: outcome.attempts.json,
            status: outcome.status, errorType: outcome.errorType, latencyMs: latency.milliseconds,
            upstreamMs: outcome.upstreamMs, promptTokens: outcome.usage?.promptTokens,
            completionTokens: outcome.usage?.completionTokens, usageEstimated: outcome.usage?.estimated ?? false,
            costNano: outcome.cost.nanoUSD, cachedTokens: outcome.usage?.cachedTokens ?? 0, cacheWriteTokens: outcome.usage?.cacheWriteTokens ?? 0)
        budget.logRequest(entry, logger: logger)  // committed by the request log's writer within 10 ms
        await logMisroute(request: request, outcome: outcome)
        // The coordinator logs every request at info (with the worker's figures); this line is for debugging a worker.
        logger.debug("request", metadata: [
            "triage.request": "\(request.id)", "triage.team": "\(request.caller.team ?? "-")",
            "triage.tier": "\(outcome.tier ?? "-")", "triage.model": "\(outcome.model ?? "-")",
            "triage.status": "\(outcome.status)", "triage.attempts": "\(outcome.attempts.count)",
            "triage.cost_usd": "\(outcome.cost)", "triage.latency_ms": "\(latency.milliseconds.fixed(1))",
        ])
    }

    /// Every climb (an upstream failure or a poor answer), and every poor answer kept for want of
    /// a higher tier, is labelled data for retraining: one misroute row.
    private func logMisroute(request: WireRequest, outcome: Outcome) async {
        let failures = outcome.attempts.filter { $0.outcome != "ok" && $0.outcome != "cancelled" }
        guard !failures.isEmpty || !outcome.qualityIssues.isEmpty, let first = outcome.attempts.first,
              let chat = try? ChatRequest(body: request.body) else { return }
        var reason = failures.first.map { $0.outcome + ($0.outcome == "low_quality" ? ": \($0.message ?? "")" : "") } ?? ""
        if failures.isEmpty { reason = "low_quality (kept): " + outcome.qualityIssues.map(\.description).joined(separator: "; ") }
        let query = chat.query
        let normalised = query.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let features: JSONValue = .object([
            "words": .int(Int64(normalised.split(separator: " ").count)), "chars": .int(Int64(query.utf8.count)),
            "messages": .int(Int64(chat.messages.count)), "system_prompt": .bool(chat.hasSystemPrompt),
            "earlier_turns": .bool(chat.hasEarlierTurns), "max_tokens": chat.maxTokens.map { .int(Int64($0)) } ?? .null,
        ])
        let record = MisrouteRecord(
            requestID: request.id, createdAt: Date(), teamID: request.caller.teamID, queryHash: SHA256.hex(normalised),
            queryText: config.privacy.storeQueryText ? query : nil, features: String(decoding: features.encoded(), as: UTF8.self),
            firstTier: first.tier, finalTier: outcome.status == 200 ? outcome.tier : nil, reason: reason, score: outcome.decision?.score)
        let (store, logger) = (self.store, self.logger)
        await offEventLoop {
            do {
                try store.logMisroute(record)
            } catch {
                logger.error("misroute log write failed", metadata: ["triage.request": "\(request.id)", "error": "\(error)"])
            }
        }
    }

    static func finishReason(of completion: JSONValue) -> String? {
        completion["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue
    }

    static func content(of completion: JSONValue) -> String {
        completion["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
    }

    static func estimate(chat: ChatRequest, answerBytes: Int) -> Usage {
        Usage(promptTokens: TokenEstimate.promptTokens(chat), completionTokens: (answerBytes + 3) / 4, estimated: true)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
