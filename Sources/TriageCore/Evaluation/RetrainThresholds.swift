/// Where a retrained candidate's thresholds come from (`triage retrain --thresholds`,
/// `retrain.thresholds` in the config).
///
/// A candidate's scores are on a scale of their own, so the active version's threshold *values*
/// mean nothing to it. What the operator chose (with `triage calibrate` or by accepting the
/// defaults) is a split of traffic over the tiers, and that is what a retrain keeps by default: the
/// candidate's thresholds are set so that it sends the same shares of the held-out slice to each
/// tier as the active version does, the very point at which the guardrail judged it. A retrain then
/// changes which queries go up, not how many, and the spend stays where the operator put it.
public enum RetrainThresholds: String, Sendable, Equatable, CaseIterable {
    /// The active version's shares of the held-out slice per tier (the default).
    case keepShares = "keep-shares"
    /// The candidate's own defaults (quantiles of its training scores), as `triage train` sets them.
    case own

    /// The candidate's thresholds and how they were set (the model file's `thresholds.how`).
    /// - Parameters:
    ///   - candidateScores: the candidate's score per held-out row.
    ///   - own: the candidate's own thresholds and their description.
    ///   - active: the active version, its score per held-out row (same rows, same order) and its
    ///     thresholds; nil when none is installed.
    /// - Returns: `own` when asked for, or when there is no active version or no held-out row to
    ///   measure its shares on.
    public func thresholds(candidateScores: [Double], own: (ScoreThresholds, String),
                           active: (version: Int64, scores: [Double], thresholds: ScoreThresholds)?) -> (ScoreThresholds, String) {
        guard self == .keepShares, let active, !candidateScores.isEmpty, active.scores.count == candidateScores.count else { return own }
        let shares = ThresholdCalibration.shares(active.scores, active.thresholds)
        let kept = ThresholdCalibration.byShares(candidateScores, shares)
        let split = "simple \(Self.pct(shares.simple)), medium \(Self.pct(shares.medium)), complex \(Self.pct(shares.complex))"
        return (kept, "v\(active.version)'s shares of the \(candidateScores.count) held-out rows kept (\(split)); `triage calibrate` moves them")
    }

    private static func pct(_ x: Double) -> String { (x * 100).fixed(1) + "%" }
}
