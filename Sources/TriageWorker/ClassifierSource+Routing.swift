import Logging
import Synchronization
import TriageCore
import TriageStore
import TriageWire

/// The routing decision with the dial, the tier cap and the judge step: the part of classifying
/// that may do I/O (the judge call, the team's policy), kept out of the pure classifiers.
extension ClassifierSource {
    /// A routing decision and the label of the classifier that made it (`learned:v3+judge`).
    struct Routed: Sendable {
        var decision: RoutingDecision
        var label: String
        /// The judge call this decision made (already charged to the team; its cost is part of the request's), if any.
        var judgeCall: JudgeReply? = nil
    }

    /// The controls of a request: its headers' dial and tier cap within its team's policy.
    func controls(for request: WireRequest) -> RoutingControls {
        let policy = request.caller.teamID.map(policy(team:)) ?? TeamRoutingPolicy()
        return RoutingControls.resolve(dial: request.dial, maxTier: request.maxTier, teamDial: policy.dial,
                                       teamDialMin: policy.dialMin, teamDialMax: policy.dialMax, teamMaxTier: policy.maxTier,
                                       ladder: ladder)
    }

    /// A team's routing policy, cached for two seconds.
    func policy(team: Int64) -> TeamRoutingPolicy {
        let now = ContinuousClock.now
        if let hit = policies.withLock({ $0[team] }), hit.read.duration(to: now) < .seconds(2) { return hit.policy }
        do {
            let p = try reads.routingPolicy(teamID: team)
            policies.withLock { $0[team] = (p, now) }
            if let tier = p.maxTier, !RoutingControls.isTier(tier, of: ladder), warnedStaleCaps.withLock({ $0.insert("\(team)/\(tier)").inserted }) {
                logger.warning("team routing policy's max_tier is not a configured tier; capping the team at the cheapest tier",
                               metadata: ["triage.team_id": "\(team)", "max_tier": "\(tier)",
                                          "tiers": "\(ladder.tiers.map(\.name).joined(separator: ", "))"])
            }
            return p
        } catch {
            logger.warning("team routing policy unreadable; none applied", metadata: ["triage.team_id": "\(team)", "error": "\(error)"])
            return TeamRoutingPolicy()
        }
    }

    /// Decides the first tier: the base classifier (rules or learned) moved by the dial, then the
    /// judge when configured and called for; a judge that fails or is late leaves the base decision.
    /// The tier cap is not applied here (see ``RoutingControls/capped(_:ladder:)``).
    /// - Parameter judgeBudget: pays for a judge call (reserved first); when the team cannot
    ///   afford one, the judge is not called and the base decision stands.
    /// - Throws: `TriageError.modelNotFound` for an unknown `model`.
    func decide(_ chat: ChatRequest, controls: RoutingControls, requestID: String, judgeBudget: JudgeBudget) async throws(TriageError) -> Routed {
        let (classifier, label) = current
        if case .fixed(let i, let reason) = try ladder.entry(for: chat.model) {
            let t = ladder.tiers[i]
            return Routed(decision: RoutingDecision(tierIndex: i, tier: t.name, model: t.model, reason: reason, score: nil), label: label)
        }
        let base = classifier.classify(chat)
        let learned = classifier as? LearnedClassifier
        var complexity = base.complexity
        var index: Int
        var reason = "\(classifier.name): \(base.reason)"
        var score = base.score
        var routedLabel = label
        var judgeCall: JudgeReply?
        if let learned {
            complexity = learned.thresholds.dialled(controls.dial).complexity(for: base.score)
            index = ladder.index(for: complexity)
        } else {
            index = min(max(ladder.index(for: complexity) + controls.tierShift(ladderCount: ladder.tiers.count), 0), ladder.tiers.count - 1)
        }
        if let judge, shouldAsk(judge.settings, learned: learned, score: base.score, dial: controls.dial) {
            do throws(JudgeError) {
                let (s, source, reply) = try await judge.score(chat.query, requestID: requestID, budget: judgeBudget)
                judgeCall = reply
                let c = judge.settings.thresholds.dialled(controls.dial).complexity(for: s)
                index = ladder.index(for: c)
                score = s
                reason = "judge: rating score \((s * 1000).rounded() / 1000)\(source == .judge ? "" : " (cached)"); " + reason
                routedLabel = label + "+judge"
            } catch .unaffordable {
                reason += "; judge skipped: \(JudgeBudget.refusal)"
            } catch {
                judgeCall = error.billed  // an answer without a rating is charged: part of the request's cost
                logger.warning("judge unavailable; the \(classifier.name) decision stands",
                               metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
                reason += "; judge fallback (\(error))"
                routedLabel = label + "+judge-fallback"
            }
        }
        if !controls.notes.isEmpty { reason += "; " + controls.notes.joined(separator: "; ") }
        let t = ladder.tiers[index]
        return Routed(decision: RoutingDecision(tierIndex: index, tier: t.name, model: t.model, reason: reason, score: score), label: routedLabel,
                      judgeCall: judgeCall)
    }

    private func shouldAsk(_ step: JudgeStepConfig, learned: LearnedClassifier?, score: Double, dial: Double) -> Bool {
        switch step.when {
        case .always: return true
        case .nearThreshold:
            guard let learned else { return false }
            return learned.thresholds.dialled(dial).isNear(score, margin: step.margin)
        }
    }
}
