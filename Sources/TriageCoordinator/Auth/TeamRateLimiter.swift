import Synchronization
import TriageCore
import TriageWire

/// Holds every team to its rate limits, requests per minute (`rpm`) and tokens per minute
/// (`tpm`), before a request reaches a worker. The coordinator is the host's one front door, so
/// the buckets live in its memory: a restart starts every team with a full minute's allowance.
///
/// A request takes one request and its estimated tokens (``TokenCharge``) when admitted, both or
/// neither; once its answer says what it used, ``settle(_:used:)`` corrects the tokens.
final class TeamRateLimiter: Sendable {
    private struct Buckets {
        var requests = RateBuckets()
        var tokens = RateBuckets()
    }

    /// The tokens a request took from its team's tokens-per-minute allowance at admission.
    struct TokenCharge: Sendable, Equatable {
        var team: Int64
        var limit: Int
        var reserved: Int
    }

    /// What ``admit(_:estimatedTokens:now:)`` decided.
    struct Decision: Sendable {
        /// The `x-ratelimit-*` headers of the team's limits (and `retry-after` on a refusal);
        /// empty for a team without limits.
        var headers: [String: String] = [:]
        /// Why the request is refused; nil when admitted.
        var refusal: RateLimitExceeded?
        /// The tokens to settle once the answer is known; nil without a token limit or when refused.
        var charge: TokenCharge?
    }

    private let buckets = Mutex(Buckets())

    /// Takes one request and `estimatedTokens` from the caller's team, or nothing when either
    /// limit refuses. A request estimated above the whole token limit is refused outright (it could
    /// never be admitted), without touching either bucket.
    /// - Parameter estimatedTokens: Computes the request's token estimate; called only for a team
    ///   with a token limit.
    func admit(_ identity: Authenticator.Identity, estimatedTokens: () -> Int, now: ContinuousClock.Instant = .now) -> Decision {
        guard let team = identity.caller.teamID, identity.requestsPerMinute != nil || identity.tokensPerMinute != nil else { return Decision() }
        let name = identity.caller.team ?? ""
        let tokens = identity.tokensPerMinute.map { _ in max(1, estimatedTokens()) } ?? 0
        if let tpm = identity.tokensPerMinute, tokens > tpm {
            return Decision(refusal: RateLimitExceeded(team: name, unit: .tokens, limit: tpm, requested: tokens, retryAfter: nil))
        }
        return buckets.withLock { b in
            var decision = Decision()
            var requests: RateBuckets.Admission?
            if let rpm = identity.requestsPerMinute {
                let a = b.requests.admit(team: team, limit: rpm, now: now)
                decision.headers.merge(a.headers(.requests)) { _, new in new }
                guard a.admitted else {
                    decision.refusal = RateLimitExceeded(team: name, limit: a.limit, retryAfter: a.retryAfter)
                    return decision
                }
                requests = a
            }
            if let tpm = identity.tokensPerMinute {
                let a = b.tokens.admit(team: team, limit: tpm, cost: tokens, now: now)
                decision.headers.merge(a.headers(.tokens)) { _, new in new }
                guard a.admitted else {
                    decision.refusal = RateLimitExceeded(team: name, unit: .tokens, limit: a.limit, requested: tokens, retryAfter: a.retryAfter)
                    if let rpm = identity.requestsPerMinute, requests != nil {
                        // Neither limit is charged for a refused request: the request goes back.
                        let back = b.requests.settle(team: team, limit: rpm, reserved: 1, used: 0, now: now)
                        decision.headers.merge(back.headers(.requests)) { _, new in new }
                    }
                    return decision
                }
                decision.charge = TokenCharge(team: team, limit: tpm, reserved: tokens)
            }
            return decision
        }
    }

    /// Corrects a request's tokens to what it used; `used: nil` (not known) keeps the estimate.
    /// - Returns: The token limit's headers after the correction.
    @discardableResult
    func settle(_ charge: TokenCharge, used: Int?, now: ContinuousClock.Instant = .now) -> [String: String] {
        buckets.withLock { b in
            b.tokens.settle(team: charge.team, limit: charge.limit, reserved: charge.reserved, used: used ?? charge.reserved, now: now)
        }.headers(.tokens)
    }
}
