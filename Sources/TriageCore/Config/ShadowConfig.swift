/// Shadow comparison across tiers (`shadow`): a sampled share of requests answered below the top
/// tier is also sent, after the client has its answer, to the top tier, and the judge compares
/// the two answers.
///
/// ```yaml
/// shadow: {sample_rate: 0.05, max_usd_per_day: 1.0, max_concurrent: 2}
/// ```
/// Off by default (`sample_rate: 0`): each comparison pays for a top-tier call and a judge call,
/// and sends the query and both answers to the judge's provider, which an operator should choose to do.
public struct ShadowConfig: Sendable, Equatable {
    /// Share of eligible requests compared, 0...1.
    public var sampleRate: Double
    /// The shadow budget: what comparisons may cost per UTC day, across every worker of the host.
    /// Charged to no team.
    public var maxUSDPerDay: Double
    /// Comparisons one worker runs at once; a sampled request finding them all busy is skipped.
    public var maxConcurrent: Int

    public init(sampleRate: Double = 0, maxUSDPerDay: Double = 1, maxConcurrent: Int = 2) {
        self.sampleRate = sampleRate
        self.maxUSDPerDay = maxUSDPerDay
        self.maxConcurrent = maxConcurrent
    }

    /// Whether any request can be compared.
    public var enabled: Bool { sampleRate > 0 && maxUSDPerDay > 0 }
}

/// The judge quality check of one tier (`quality_judge: {threshold: 6}`): the judge grades
/// (question, answer) from 1 to 10 on ``GradeRubric``; below `threshold` the answer counts as low
/// quality and climbs like the other checks (streams only with `quality: buffer`; none with `quality: off`).
/// A judge that fails or times out never fails the request.
public struct QualityJudgeConfig: Sendable, Equatable {
    /// The lowest passing grade, 1...10.
    public var threshold: Double

    public init(threshold: Double = 6) { self.threshold = threshold }
}

/// Scheduled retraining inside the coordinator (`retrain: {every_h: 24, data: [gsm8k.jsonl]}`): every
/// `every_h` hours it does what `triage retrain --data ... --install` does (base data plus misroutes,
/// shadow verdicts and feedback; installed only when the guardrail finds the candidate not worse).
/// A run is skipped when nothing was learned since the active version was installed.
public struct RetrainSchedule: Sendable, Equatable {
    /// Hours between two runs (the first runs one interval after start).
    public var everyHours: Double
    /// The base training data (RouteLLM-format JSONL), relative paths resolved against the config file.
    public var data: [String]
    /// Where a retrained version's thresholds come from (`thresholds: keep-shares|own`): by default
    /// it keeps the active version's shares of traffic per tier.
    public var thresholds: RetrainThresholds

    public init(everyHours: Double, data: [String], thresholds: RetrainThresholds = .keepShares) {
        self.everyHours = everyHours
        self.data = data
        self.thresholds = thresholds
    }
}
