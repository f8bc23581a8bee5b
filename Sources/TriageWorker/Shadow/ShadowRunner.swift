import Foundation
import Logging
import Synchronization
import TriageCore
import TriageStore
import TriageUpstream
import TriageWire

/// Shadow comparison across tiers, off the request path: for a sampled request answered below
/// the top tier, once the client has its answer, asks the top tier the same request and lets the
/// judge compare the two answers (``ComparisonRubric``).
///
/// - Each comparison runs in a task of its own, never awaited by the request; at most
///   `shadow.max_concurrent` run at once per worker (a sampled request finding them all busy is skipped).
/// - The shadow budget (`shadow.max_usd_per_day`, host-wide, per UTC day) is reserved at the worst
///   case before the top-tier call and settled at the real cost (``Store/startShadow(_:dayStart:limitNano:)``);
///   the ledger rows carry no team.
/// - The verdict is stored; a `worse` one also writes a misroute (`shadow_worse`).
/// - ``shutdown()`` cancels running comparisons and waits for them (their verdict: `unknown`);
///   those of a worker that died are closed the same way by the other workers on its host
///   (``BudgetGuard/reclaim()``).
final class ShadowRunner: Sendable {
    let plan: ShadowPlan
    let config: TriageConfig
    let providers: ProviderSet
    let judge: JudgeClient
    let store: Store
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var next = 0
        var tasks: [Int: Task<Void, Never>] = [:]
        var stopped = false
    }

    /// What the client got, handed over after it has its answer.
    struct Answered: Sendable {
        var request: WireRequest
        var chat: ChatRequest
        var tierIndex: Int
        var answer: String
        var answerTokens: Int
        var score: Double?
    }

    init(config: TriageConfig, judge: JudgeClient, providers: ProviderSet, store: Store, logger: Logger) {
        self.plan = ShadowPlan(config: config.shadow)
        self.config = config
        self.judge = judge
        self.providers = providers
        self.store = store
        self.logger = logger
    }

    /// Comparisons running now.
    var running: Int { state.withLock { $0.tasks.count } }

    /// Offers a finished request; returns at once (the comparison, if any, runs on its own task).
    /// - Returns: the plan's decision.
    @discardableResult
    func offer(status: Int, _ answered: @autoclosure () -> Answered?, tierIndex: Int?) -> ShadowPlan.Decision {
        let top = config.tiers.count - 1
        let draw = Double.random(in: 0..<1)
        return state.withLock { s -> ShadowPlan.Decision in
            guard !s.stopped else { return .off }
            let decision = plan.decide(status: status, answeredTier: tierIndex, topTier: top, draw: draw, running: s.tasks.count)
            guard decision == .compare, let a = answered() else { return decision }
            let id = s.next
            s.next += 1
            s.tasks[id] = Task.detached { [self] in
                await self.compare(a)
                _ = self.state.withLock { $0.tasks.removeValue(forKey: id) }
            }
            return decision
        }
    }

    /// Cancels running comparisons and waits for them to record their end.
    func shutdown() async {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.stopped = true
            return Array(s.tasks.values)
        }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
    }

    private func compare(_ a: Answered) async {
        let cheap = config.tiers[a.tierIndex]
        guard let top = config.tiers.last else { return }
        let now = Date()
        let query = a.chat.query
        let hash = RetrainLabels.queryHash(query)
        let promptTokens = TokenEstimate.promptTokens(a.chat)
        let maxTokens = a.chat.maxTokens ?? config.budgets.defaultMaxTokens
        let worst = ShadowPlan.worstCase(promptTokens: promptTokens, answerTokens: a.answerTokens, maxTokens: maxTokens,
                                         top: top.price, judge: judge.config.price)
        let pending = ShadowRecord(requestID: a.request.id, createdAt: now, teamID: a.request.caller.teamID, tier: cheap.name,
                                   model: cheap.model, topTier: top.name, topModel: top.model, queryHash: hash,
                                   queryText: config.privacy.storeQueryText ? query : nil, score: a.score, reservedNano: worst.nanoUSD,
                                   ownerPID: getpid(), ownerHost: ProcessInfo.processInfo.hostName)
        let rowID: Int64
        do {
            guard let id = try store.startShadow(pending, dayStart: Self.utcDayStart(now), limitNano: Money(usd: config.shadow.maxUSDPerDay).nanoUSD) else {
                logger.debug("shadow budget exhausted; comparison skipped", metadata: ["triage.request": "\(a.request.id)"])
                return
            }
            rowID = id
        } catch {
            logger.error("shadow start failed", metadata: ["triage.request": "\(a.request.id)", "error": "\(error)"])
            return
        }

        var ledger: [LedgerEntry] = []
        var verdict = ShadowVerdict.unknown
        var detail: String?
        // The top tier, non-stream, with the client's request.
        var body = a.chat.body
        body["model"] = .string(top.model)
        body["stream"] = .bool(false)
        body["stream_options"] = nil
        let call = UpstreamCall(body: body, tier: top, provider: config.provider(of: top), apiKey: providers.apiKey(for: top.provider))
        var reference: String?
        do throws(AttemptFailure) {
            let completion = try await providers.provider(named: top.provider).complete(call)
            let text = LadderRunner.content(of: completion.body)
            let usage = completion.usage ?? LadderRunner.estimate(chat: a.chat, answerBytes: text.utf8.count)
            ledger.append(entry(a, tier: top.name, model: top.model, usage: usage, cost: top.price.cost(usage), outcome: "shadow"))
            reference = text
        } catch {
            if let billed = error.billedUsage {
                ledger.append(entry(a, tier: top.name, model: top.model, usage: billed, cost: top.price.cost(billed), outcome: "shadow"))
            }
            detail = Task.isCancelled ? "cancelled at shutdown" : "top tier failed: \(error.kind.rawValue): \(error.message)"
        }
        if let reference, !Task.isCancelled {
            let messages = ComparisonRubric.messages(question: query, reference: reference, candidate: a.answer)
            do throws(JudgeError) {
                let reply = try await judge.ask(system: ComparisonRubric.system, user: messages[1]["content"]?.stringValue ?? "", maxTokens: 200)
                ledger.append(entry(a, tier: "judge", model: judge.config.model, usage: reply.usage, cost: reply.cost, outcome: "shadow_judge"))
                if let v = ComparisonRubric.parseVerdict(reply.text) {
                    verdict = v
                    detail = Self.reason(in: reply.text)
                } else {
                    detail = "no verdict in the judge's reply: " + String(reply.text.prefix(200))
                }
            } catch {
                if let billed = error.billed {  // answered with no text: billed all the same
                    ledger.append(entry(a, tier: "judge", model: judge.config.model, usage: billed.usage, cost: billed.cost, outcome: "shadow_judge"))
                }
                detail = Task.isCancelled ? "cancelled at shutdown" : "\(error)"
            }
        } else if reference != nil {
            detail = "cancelled at shutdown"
        }
        let cost = ledger.reduce(Money.zero) { $0 + Money(nanoUSD: $1.costNano) }
        do {
            try store.finishShadow(id: rowID, verdict: verdict.rawValue, detail: detail, costNano: cost.nanoUSD, at: Date(), ledger: ledger)
            if verdict == .worse {
                try store.logMisroute(MisrouteRecord(
                    requestID: a.request.id, createdAt: Date(), teamID: a.request.caller.teamID, queryHash: hash,
                    queryText: pending.queryText, features: String(decoding: a.chat.misrouteFeatures.encoded(), as: UTF8.self),
                    firstTier: cheap.name, finalTier: cheap.name, reason: "shadow_worse: " + (detail ?? "judged worse than \(top.name)"),
                    score: a.score))
            }
        } catch {
            logger.error("shadow finish failed", metadata: ["triage.request": "\(a.request.id)", "error": "\(error)"])
        }
        logger.info("shadow comparison", metadata: [
            "triage.request": "\(a.request.id)", "triage.tier": "\(cheap.name)", "triage.shadow.verdict": "\(verdict.rawValue)",
            "triage.cost_usd": "\(cost)",
        ])
    }

    private func entry(_ a: Answered, tier: String, model: String, usage: Usage, cost: Money, outcome: String) -> LedgerEntry {
        LedgerEntry(teamID: nil, requestID: a.request.id, createdAt: Date(), tier: tier, model: model, promptTokens: usage.promptTokens,
                    completionTokens: usage.completionTokens, usageEstimated: usage.estimated, costNano: cost.nanoUSD, outcome: outcome,
                    cachedTokens: usage.cachedTokens, cacheWriteTokens: usage.cacheWriteTokens)
    }

    /// The judge's `reason` field, when its reply is JSON with one.
    static func reason(in text: String) -> String? {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
              let v = try? JSONValue.parse(Array(text[open...close].utf8)) else { return nil }
        return v["reason"]?.stringValue.map { String($0.prefix(500)) }
    }

    static func utcDayStart(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }
}

extension ChatRequest {
    /// The features a misroute row keeps of a query (no text).
    var misrouteFeatures: JSONValue {
        let q = query
        return .object([
            "words": .int(Int64(RetrainLabels.normalise(q).split(separator: " ").count)), "chars": .int(Int64(q.utf8.count)),
            "messages": .int(Int64(messages.count)), "system_prompt": .bool(hasSystemPrompt),
            "earlier_turns": .bool(hasEarlierTurns), "max_tokens": maxTokens.map { .int(Int64($0)) } ?? .null,
        ])
    }
}
