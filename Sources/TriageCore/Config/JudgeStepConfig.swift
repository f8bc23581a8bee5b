/// When the LLM judge takes part in routing (`classifier.judge`).
///
/// ```yaml
/// classifier: {kind: learned, judge: {when: near_threshold, margin: 0.1}}   # learned; the judge settles close calls
/// classifier: {kind: judge}                                               # the judge rates every auto request
/// ```
/// The judge's rating (1–10) becomes a score in [0, 1] and a tier through its own thresholds
/// (`simple_below`, `complex_from`). If it does not answer within `judge.timeout_ms`, or its
/// answer holds no rating, the base classifier's decision stands (learned, or rules).
public struct JudgeStepConfig: Sendable, Equatable {
    public enum When: String, Sendable, Equatable, CaseIterable {
        /// Every auto request.
        case always
        /// Only when the learned score lies within `margin` of a threshold.
        case nearThreshold = "near_threshold"
    }

    public var when: When
    /// Distance from a threshold within which the judge is asked (`near_threshold`).
    public var margin: Double
    /// Where judge scores cut the ladder.
    public var thresholds: ScoreThresholds
    /// Judge decisions kept in each worker's memory (least recently used go first); the store keeps all.
    public var cacheSize: Int

    /// Defaults: ratings 1–4 simple, 5–6 medium, 7–10 complex.
    public static let defaultThresholds = ScoreThresholds(simpleBelow: 0.35, complexFrom: 0.65)

    public init(when: When = .nearThreshold, margin: Double = 0.1, thresholds: ScoreThresholds = JudgeStepConfig.defaultThresholds,
                cacheSize: Int = 10_000) {
        self.when = when
        self.margin = margin
        self.thresholds = thresholds
        self.cacheSize = cacheSize
    }
}
