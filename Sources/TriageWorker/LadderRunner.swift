import Foundation
import Logging
import TriageCore
import TriageStore
import TriageUpstream
import TriageWire

/// Serves one request: classify, call the tier's model, climb the ladder on failure,
/// price the answer, reply over the wire and write the request log.
struct LadderRunner: Sendable {
    typealias Send = @Sendable (WireMessage) async -> Void

    let config: TriageConfig
    let router: Router
    let providers: ProviderSet
    let store: Store
    let workerID: String
    let logger: Logger

    /// What one served request came to, for the request log.
    struct Outcome {
        var tier: String?
        var model: String?
        var provider: String?
        var reason: String?
        var status = 200
        var errorType: String?
        var usage: Usage?
        var cost = Money.zero
        var attempts: [AttemptRecord] = []
        var upstreamMs = 0.0
    }

    func serve(_ request: WireRequest, send: Send) async {
        let started = ContinuousClock.now
        var outcome = Outcome()
        var stream = false
        do throws(TriageError) {
            let chat = try ChatRequest(body: request.body)
            stream = chat.stream
            let decision = try router.decide(chat)
            outcome.reason = decision.reason
            await climb(request: request, chat: chat, decision: decision, outcome: &outcome, send: send)
        } catch {
            outcome.status = error.status
            outcome.errorType = error.body.code
            await send(.error(WireErrorMessage(id: request.id, status: error.status, error: error.body)))
        }
        log(request: request, stream: stream, outcome: outcome, latency: started.duration(to: .now))
    }

    private func climb(request: WireRequest, chat: ChatRequest, decision: RoutingDecision, outcome: inout Outcome, send: Send) async {
        let tiers = config.tiers
        var announced = false
        for index in decision.tierIndex..<tiers.count {
            let tier = tiers[index]
            if Task.isCancelled { break }
            if !announced {
                await send(.sent(id: request.id))
                announced = true
            }
            let call = UpstreamCall(body: chat.upstreamBody(model: tier.model), tier: tier,
                                    provider: config.provider(of: tier), apiKey: providers.apiKey(for: tier.provider))
            outcome.tier = tier.name
            outcome.model = tier.model
            outcome.provider = tier.provider
            let provider = providers.provider(named: tier.provider)
            let attemptStart = ContinuousClock.now
            let result: AttemptFailure?
            if chat.stream {
                result = await streamAttempt(provider, call, request: request, chat: chat, decision: decision, outcome: &outcome, send: send)
            } else {
                result = await completeAttempt(provider, call, request: request, chat: chat, decision: decision, outcome: &outcome, send: send)
            }
            let ms = attemptStart.duration(to: .now).milliseconds
            outcome.upstreamMs += ms
            guard let failure = result else {
                return
            }
            outcome.attempts.append(AttemptRecord(tier: tier.name, model: tier.model, outcome: failure.kind.rawValue,
                                                  status: failure.status, ms: ms, message: failure.message))
            logger.info("attempt failed", metadata: ["triage.request": "\(request.id)", "triage.tier": "\(tier.name)",
                                                     "triage.model": "\(tier.model)", "triage.failure": "\(failure)"])
            if case .fail(let status, let error) = FallbackPolicy.next(after: failure) {
                outcome.status = status
                outcome.errorType = error.code ?? error.type
                if status != 499 {
                    await send(.error(WireErrorMessage(id: request.id, status: status, error: error,
                                                       headers: headers(request, decision: decision, outcome: outcome, cost: nil))))
                }
                return
            }
        }
        let summary = outcome.attempts.map(\.summary).joined(separator: ", ")
        let error = Task.isCancelled ? TriageError.upstreamFailed("cancelled") : TriageError.upstreamFailed(summary.isEmpty ? "no tier could be tried" : summary)
        outcome.status = error.status
        outcome.errorType = error.body.code
        await send(.error(WireErrorMessage(id: request.id, status: error.status, error: error.body,
                                           headers: headers(request, decision: decision, outcome: outcome, cost: nil))))
    }

    /// One non-stream attempt; nil on success (the answer has been sent).
    private func completeAttempt(_ provider: any ChatProvider, _ call: UpstreamCall, request: WireRequest, chat: ChatRequest,
                                 decision: RoutingDecision, outcome: inout Outcome, send: Send) async -> AttemptFailure? {
        let started = ContinuousClock.now
        let completion: Completion
        do {
            completion = try await provider.complete(call)
        } catch {
            return error
        }
        var body = completion.body
        let usage = completion.usage ?? Self.estimate(chat: chat, answer: Self.content(of: body))
        if completion.usage == nil { body["usage"] = usage.openAIValue }
        let cost = call.tier.price.cost(usage)
        outcome.usage = usage
        outcome.cost = cost
        outcome.attempts.append(AttemptRecord(tier: call.tier.name, model: call.tier.model, outcome: "ok", status: 200,
                                              ms: started.duration(to: .now).milliseconds))
        await send(.response(WireResponse(id: request.id, status: 200,
                                          headers: headers(request, decision: decision, outcome: outcome, cost: cost), body: body)))
        return nil
    }

    /// One stream attempt; nil on success (the stream has been relayed and ended).
    private func streamAttempt(_ provider: any ChatProvider, _ call: UpstreamCall, request: WireRequest, chat: ChatRequest,
                               decision: RoutingDecision, outcome: inout Outcome, send: Send) async -> AttemptFailure? {
        let started = ContinuousClock.now
        let clientWantsUsage = chat.body["stream_options"]?["include_usage"]?.boolValue == true
        var delivered = false
        var usage: Usage?
        var finished = false
        var sawDone = false
        var contentBytes = 0
        var attempt = AttemptRecord(tier: call.tier.name, model: call.tier.model, outcome: "ok", status: 200, ms: 0)
        do {
            loop: for try await item in provider.stream(call) {
                switch item {
                case .done:
                    sawDone = true
                    break loop
                case .chunk(let data, let json):
                    if let u = Usage(openAI: json["usage"]) { usage = u }
                    if let choice = json["choices"]?.arrayValue?.first {
                        if let text = choice["delta"]?["content"]?.stringValue { contentBytes += text.utf8.count }
                        if choice["finish_reason"]?.stringValue != nil { finished = true }
                    } else if !clientWantsUsage {
                        continue
                    }
                    if !delivered {
                        outcome.attempts.append(attempt)
                        await send(.head(id: request.id, status: 200, headers: headers(request, decision: decision, outcome: outcome, cost: nil)))
                        outcome.attempts.removeLast()
                        delivered = true
                    }
                    await send(.chunk(id: request.id, data: data))
                }
            }
        } catch var failure as AttemptFailure {
            failure.deliveredToClient = delivered
            return failure
        } catch {
            return AttemptFailure(kind: .cancelled, message: "\(error)", deliveredToClient: delivered)
        }
        if !finished && !sawDone {
            return AttemptFailure(kind: .malformed, message: "the stream ended before the answer finished", deliveredToClient: delivered)
        }
        let final = usage ?? Self.estimate(chat: chat, answerBytes: contentBytes)
        let cost = call.tier.price.cost(final)
        attempt.ms = started.duration(to: .now).milliseconds
        outcome.attempts.append(attempt)
        outcome.usage = final
        outcome.cost = cost
        if !delivered {
            await send(.head(id: request.id, status: 200, headers: headers(request, decision: decision, outcome: outcome, cost: nil)))
        }
        await send(.end(WireEnd(id: request.id, usage: final, costUSD: cost.description, attempts: outcome.attempts.count)))
        return nil
    }

    /// The `x-triage-*` headers of the answer.
    private func headers(_ request: WireRequest, decision: RoutingDecision, outcome: Outcome, cost: Money?) -> [String: String] {
        var h: [String: String] = [
            "x-triage-request-id": request.id,
            "x-triage-tier": outcome.tier ?? decision.tier,
            "x-triage-model": outcome.model ?? decision.model,
            "x-triage-attempts": String(outcome.attempts.count),
            "x-triage-worker": workerID,
        ]
        let failures = outcome.attempts.filter { $0.outcome != "ok" }
        if failures.isEmpty {
            h["x-triage-reason"] = decision.reason
        } else {
            h["x-triage-reason"] = decision.reason + "; climbed after " + failures.map(\.summary).joined(separator: ", ")
            h["x-triage-fallbacks"] = failures.map(\.summary).joined(separator: ", ")
        }
        if let cost { h["x-triage-cost-usd"] = cost.description }
        if let s = decision.score { h["x-triage-score"] = String(format: "%.3f", s) }
        return h
    }

    private func log(request: WireRequest, stream: Bool, outcome: Outcome, latency: Duration) {
        let entry = RequestLogEntry(
            id: request.id, createdAt: Date(), teamID: request.caller.teamID, workerID: workerID,
            tier: outcome.tier, model: outcome.model, provider: outcome.provider, reason: outcome.reason,
            stream: stream, attempts: outcome.attempts.count, attemptLog: outcome.attempts.json,
            status: outcome.status, errorType: outcome.errorType, latencyMs: latency.milliseconds,
            upstreamMs: outcome.upstreamMs, promptTokens: outcome.usage?.promptTokens,
            completionTokens: outcome.usage?.completionTokens, usageEstimated: outcome.usage?.estimated ?? false,
            costNano: outcome.cost.nanoUSD)
        do {
            try store.logRequest(entry)
        } catch {
            logger.error("request log write failed", metadata: ["triage.request": "\(request.id)", "error": "\(error)"])
        }
        logger.info("request", metadata: [
            "triage.request": "\(request.id)", "triage.tier": "\(outcome.tier ?? "-")", "triage.model": "\(outcome.model ?? "-")",
            "triage.status": "\(outcome.status)", "triage.attempts": "\(outcome.attempts.count)",
            "triage.cost_usd": "\(outcome.cost)", "triage.latency_ms": "\(String(format: "%.1f", latency.milliseconds))",
        ])
    }

    static func content(of completion: JSONValue) -> String {
        completion["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
    }

    static func estimate(chat: ChatRequest, answer: String) -> Usage {
        estimate(chat: chat, answerBytes: answer.utf8.count)
    }

    static func estimate(chat: ChatRequest, answerBytes: Int) -> Usage {
        Usage(promptTokens: TokenEstimate.promptTokens(chat.messages), completionTokens: (answerBytes + 3) / 4, estimated: true)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
