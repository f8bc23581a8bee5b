/// A classifier's figures on the held-out slice `triage retrain` judges versions on.
public struct RetrainFigures: Sendable, Equatable {
    /// Held-out rows.
    public var rows: Int
    /// APGR by RouteLLM's protocol, the row-weighted mean over sources.
    public var apgr: Double
    /// Mean quality (the recorded scores) of the model each row is routed to at the classifier's
    /// own thresholds: its accuracy as deployed.
    public var accuracy: Double
    /// Share of rows routed above the cheapest model at those thresholds.
    public var strongShare: Double

    public init(rows: Int, apgr: Double, accuracy: Double, strongShare: Double) {
        self.rows = rows
        self.apgr = apgr
        self.accuracy = accuracy
        self.strongShare = strongShare
    }

    /// The figures of a classifier's scores on held-out examples.
    /// - Parameters:
    ///   - scores: the classifier's score per example.
    ///   - thresholds: where its scores cut the ladder (simple → the cheapest model, complex → the
    ///     strongest, medium → the second model).
    public static func measure(_ examples: [RoutingExample], scores: [Double], thresholds: ScoreThresholds,
                               policy: LabelPolicy) -> RetrainFigures {
        precondition(examples.count == scores.count)
        guard !examples.isEmpty else { return RetrainFigures(rows: 0, apgr: 0, accuracy: 0, strongShare: 0) }
        let reports = BenchmarkReport.bySource(examples, scores: scores, policy: policy)
        let apgr = reports.reduce(0) { $0 + $1.router.apgr * Double($1.rows) } / Double(examples.count)
        var quality = 0.0, strong = 0
        let n = policy.models.count
        for (e, s) in zip(examples, scores) {
            let index = switch thresholds.complexity(for: s) {
            case .simple: 0
            case .medium: min(1, n - 1)
            case .complex: n - 1
            }
            if index > 0 { strong += 1 }
            quality += e.scores[policy.models[index]] ?? 0
        }
        return RetrainFigures(rows: examples.count, apgr: apgr, accuracy: quality / Double(examples.count),
                              strongShare: Double(strong) / Double(examples.count))
    }
}

/// Whether `triage retrain` installs a candidate classifier: only when it is not worse than the
/// active version on the held-out slice by more than the tolerances.
public struct RetrainGuardrail: Sendable, Equatable {
    /// How much lower the candidate's APGR may be.
    public var apgrTolerance: Double
    /// How much lower the candidate's accuracy at its own thresholds may be.
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
    ///   - active: the active version's figures, nil when none is installed (or it cannot be read).
    ///   - force: install whatever the figures say.
    public func decide(candidate c: RetrainFigures, active: RetrainFigures?, force: Bool = false) -> Decision {
        guard let a = active else { return .install("no active version to compare with") }
        let apgrOK = c.apgr >= a.apgr - apgrTolerance
        let accuracyOK = c.accuracy >= a.accuracy - accuracyTolerance
        let figures = "APGR \(f3(c.apgr)) vs \(f3(a.apgr)), accuracy \(f3(c.accuracy)) vs \(f3(a.accuracy))"
        if apgrOK && accuracyOK { return .install("not worse: \(figures)") }
        let why = !apgrOK ? "candidate APGR \(f3(c.apgr)) < \(f3(a.apgr)) - \(f3(apgrTolerance))"
            : "candidate accuracy \(f3(c.accuracy)) < \(f3(a.accuracy)) - \(f3(accuracyTolerance))"
        return force ? .install("forced although \(why)") : .keep(why)
    }

    private func f3(_ x: Double) -> String { x.fixed(3) }
}
