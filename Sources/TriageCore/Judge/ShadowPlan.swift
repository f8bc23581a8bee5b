/// Whether one finished request is compared with the top tier (decisions apart from I/O: the
/// worker supplies the random draw and its running count).
public struct ShadowPlan: Sendable, Equatable {
    public var config: ShadowConfig

    public init(config: ShadowConfig) { self.config = config }

    /// Why a request is not compared, or that it is.
    public enum Decision: String, Sendable, Equatable {
        case compare
        /// Shadowing is off.
        case off
        /// The request failed, or was answered by the top tier (nothing to compare with).
        case notEligible = "not_eligible"
        /// Not drawn by the sample rate.
        case notSampled = "not_sampled"
        /// This worker already runs `max_concurrent` comparisons.
        case busy
    }

    /// - Parameters:
    ///   - status: the request's HTTP status.
    ///   - answeredTier: index on the ladder of the tier whose answer the client got.
    ///   - topTier: index of the top tier.
    ///   - draw: a uniform random number in [0, 1).
    ///   - running: comparisons this worker runs now.
    public func decide(status: Int, answeredTier: Int?, topTier: Int, draw: Double, running: Int) -> Decision {
        guard config.enabled else { return .off }
        guard status == 200, let t = answeredTier, t < topTier else { return .notEligible }
        guard draw < config.sampleRate else { return .notSampled }
        guard running < config.maxConcurrent else { return .busy }
        return .compare
    }

    /// The worst case of one comparison, reserved against the shadow budget before it starts: the
    /// top tier answering with up to `maxTokens` output tokens, and the judge reading the question
    /// and both answers (the top tier's at its worst case) and writing `judgeOutputTokens`.
    public static func worstCase(promptTokens: Int, answerTokens: Int, maxTokens: Int, top: Price, judge: Price,
                                 judgeOutputTokens: Int = 256) -> Money {
        let topCost = top.cost(promptTokens: promptTokens, completionTokens: maxTokens)
        let judgeCost = judge.cost(promptTokens: promptTokens + answerTokens + maxTokens + 400, completionTokens: judgeOutputTokens)
        return topCost + judgeCost
    }
}
