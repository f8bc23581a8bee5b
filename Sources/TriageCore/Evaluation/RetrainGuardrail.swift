/// Whether `triage retrain` installs a candidate classifier: only when, on the held-out slice, it
/// ranks queries no worse than the active version (APGR) and is no less accurate **at the active
/// version's cost** (the same share of queries sent to each tier).
///
/// Comparing accuracy at each version's own thresholds would reward a model for spending more: one
/// that sends 60% of the queries above the cheapest tier answers better than one that sends 30%,
/// whatever its ranking. So the candidate is measured twice: at the active version's shares, for
/// the decision, and at the thresholds it would be installed with, for what installing it changes
/// (the same shares, unless `--thresholds own` gives it its own; see ``RetrainThresholds``).
public struct RetrainGuardrail: Sendable, Equatable {
    /// How much lower the candidate's APGR may be.
    public var apgrTolerance: Double
    /// How much lower the candidate's accuracy at the active version's shares may be.
    public var accuracyTolerance: Double

    public init(apgrTolerance: Double = 0.01, accuracyTolerance: Double = 0.02) {
        self.apgrTolerance = apgrTolerance
        self.accuracyTolerance = accuracyTolerance
    }

    /// The decision and why, in words.
    public enum Decision: Sendable, Equatable {
        case install(String)
        case keep(String)

        public var installs: Bool {
            if case .install = self { return true }
            return false
        }
    }

    /// Decides on a candidate.
    /// - Parameters:
    ///   - comparison: the candidate and the active version on the same held-out rows.
    ///   - force: install whatever the figures say.
    public func decide(_ comparison: RetrainComparison, force: Bool = false) -> Decision {
        let own = comparison.candidate
        guard let a = comparison.active, let c = comparison.candidateAtActiveShares else {
            return .install("no active version to compare with")
        }
        let cost = "\(pct(a.strongShare)) of held-out queries sent above the cheapest tier"
        var problems: [String] = []
        if own.apgr < a.apgr - apgrTolerance {
            problems.append("candidate APGR \(f3(own.apgr)) is below the active version's \(f3(a.apgr)) by more than \(f3(apgrTolerance)): "
                            + "it ranks the held-out queries worse by their need for a stronger tier")
        }
        if c.accuracy < a.accuracy - accuracyTolerance {
            problems.append("candidate accuracy \(f3(c.accuracy)) is below the active version's \(f3(a.accuracy)) by more than "
                            + "\(f3(accuracyTolerance)) at the same cost (\(cost))")
        }
        if problems.isEmpty {
            var why = "not worse: APGR \(f3(own.apgr)) vs \(f3(a.apgr)); accuracy \(f3(c.accuracy)) vs \(f3(a.accuracy)) at the same cost (\(cost))"
            if abs(own.strongShare - a.strongShare) >= 0.005 {
                why += "; its own thresholds send \(pct(own.strongShare)) above the cheapest tier (accuracy \(f3(own.accuracy))): "
                    + "`triage calibrate` moves them"
            }
            return .install(why)
        }
        var why = problems.joined(separator: "; ")
        if own.accuracy >= a.accuracy - accuracyTolerance && own.strongShare > a.strongShare + 0.005 {
            why += "; its own thresholds reach accuracy \(f3(own.accuracy)) only by sending \(pct(own.strongShare)) above the cheapest tier"
        }
        if force { return .install("forced although \(why)") }
        return .keep(why + ". Nothing installed: retrain once more labels are logged or the data grows, or install it anyway with `triage retrain --install --force`")
    }

    private func f3(_ x: Double) -> String { x.fixed(3) }
    private func pct(_ x: Double) -> String { (x * 100).fixed(1) + "%" }
}

/// The candidate and the active version on the same held-out rows (``RetrainGuardrail``'s input).
public struct RetrainComparison: Sendable, Equatable {
    /// The candidate at the thresholds it would be installed with: what installing it would do.
    public var candidate: RetrainFigures
    /// The active version at its own thresholds; nil when none is installed (or it cannot be read).
    public var active: RetrainFigures?
    /// The candidate sending the same shares of the held-out rows to each tier as the active
    /// version (its highest-scoring rows to the top): its accuracy at the active version's cost.
    public var candidateAtActiveShares: RetrainFigures?

    public init(candidate: RetrainFigures, active: RetrainFigures?, candidateAtActiveShares: RetrainFigures?) {
        self.candidate = candidate
        self.active = active
        self.candidateAtActiveShares = candidateAtActiveShares
    }

    /// Measures both versions on `examples`.
    /// - Parameters:
    ///   - candidate: the candidate's score per example and its thresholds.
    ///   - active: the active version's score per example and its thresholds; nil when none.
    public static func measure(_ examples: [RoutingExample], candidate: (scores: [Double], thresholds: ScoreThresholds),
                               active: (scores: [Double], thresholds: ScoreThresholds)?, policy: LabelPolicy) -> RetrainComparison {
        let own = RetrainFigures.measure(examples, scores: candidate.scores, thresholds: candidate.thresholds, policy: policy)
        guard let active else { return RetrainComparison(candidate: own, active: nil, candidateAtActiveShares: nil) }
        let a = RetrainFigures.measure(examples, scores: active.scores, thresholds: active.thresholds, policy: policy)
        let atShares = RetrainFigures.measure(examples, scores: candidate.scores, shares: a.shares, policy: policy)
        return RetrainComparison(candidate: own, active: a, candidateAtActiveShares: atShares)
    }
}
