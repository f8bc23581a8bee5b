import Testing
@testable import TriageCoordinator
import TriageCore
import TriageWire

/// A team with both limits: a request takes one request and its tokens, or neither; what a
/// request used, as the coordinator sees it finish, corrects its tokens.
@Suite struct TeamRateLimiterTests {
    let t0 = ContinuousClock.now
    let both = Authenticator.Identity(caller: Caller(teamID: 1, team: "search"), requestsPerMinute: 10, tokensPerMinute: 1_000)

    @Test func aRequestRefusedForTokensGivesItsRequestBack() {
        let limiter = TeamRateLimiter()
        let first = limiter.admit(both, estimatedTokens: { 900 }, now: t0)
        #expect(first.refusal == nil)
        #expect(first.charge == TeamRateLimiter.TokenCharge(team: 1, limit: 1_000, reserved: 900))
        #expect(first.headers["x-ratelimit-remaining-requests"] == "9")
        #expect(first.headers["x-ratelimit-remaining-tokens"] == "100")

        let refused = limiter.admit(both, estimatedTokens: { 500 }, now: t0)
        #expect(refused.refusal?.unit == .tokens)
        #expect(refused.charge == nil)
        #expect(refused.headers["x-ratelimit-remaining-requests"] == "9", "the refused request was given back")
        #expect(refused.headers["retry-after-ms"] == "24000", "400 more tokens at 1000 a minute")
    }

    @Test func aRequestRefusedForRequestsTakesNoTokens() {
        let limiter = TeamRateLimiter()
        let one = Authenticator.Identity(caller: Caller(teamID: 2, team: "t"), requestsPerMinute: 1, tokensPerMinute: 1_000)
        #expect(limiter.admit(one, estimatedTokens: { 100 }, now: t0).refusal == nil)
        let refused = limiter.admit(one, estimatedTokens: { 100 }, now: t0)
        #expect(refused.refusal?.unit == .requests)
        let tokens = limiter.settle(TeamRateLimiter.TokenCharge(team: 2, limit: 1_000, reserved: 0), used: 0, now: t0)
        #expect(tokens["x-ratelimit-remaining-tokens"] == "900", "only the admitted request's 100 were taken")
    }

    @Test func aRequestLargerThanTheWholeLimitIsRefusedOutrightAndTakesNothing() {
        let limiter = TeamRateLimiter()
        let huge = limiter.admit(both, estimatedTokens: { 1_001 }, now: t0)
        #expect(huge.refusal?.retryAfter == nil)
        #expect(huge.refusal?.requested == 1_001)
        #expect(limiter.admit(both, estimatedTokens: { 1_000 }, now: t0).headers["x-ratelimit-remaining-requests"] == "9")
    }

    @Test func aTeamWithoutLimitsIsNeitherEstimatedNorCounted() {
        let limiter = TeamRateLimiter()
        let free = Authenticator.Identity(caller: Caller(teamID: 3, team: "free"))
        let d = limiter.admit(free, estimatedTokens: { Issue.record("no estimate is needed"); return 0 }, now: t0)
        #expect(d.refusal == nil && d.charge == nil && d.headers.isEmpty)
    }

    @Test func tokensAreCorrectedToWhatTheFinishedRequestUsed() throws {
        func finished(status: Int, usage: Usage? = nil, cost: Money? = nil, streamed: Bool = false) -> FinishedRequest {
            var r = FinishedRequest(id: "r", team: "search", status: status, stream: streamed, duration: .zero)
            r.usage = usage
            r.cost = cost
            if streamed { r.timeToFirstToken = .milliseconds(5) }
            return r
        }
        #expect(finished(status: 200, usage: Usage(promptTokens: 20, completionTokens: 30)).tokensUsed == 50)
        #expect(finished(status: 429).tokensUsed == 0, "refused by the worker: nothing was used")
        #expect(finished(status: 502, cost: .zero).tokensUsed == 0, "every attempt failed unbilled")
        #expect(finished(status: 502, cost: Money(nanoUSD: 5)).tokensUsed == nil, "a billed failure keeps the estimate")
        #expect(finished(status: 499).tokensUsed == nil, "the client left: what was generated is not known here")
        #expect(finished(status: 502, streamed: true).tokensUsed == nil, "a stream cut after it began keeps the estimate")

        let limiter = TeamRateLimiter()
        let d = limiter.admit(both, estimatedTokens: { 600 }, now: t0)
        let charge = try #require(d.charge)
        #expect(limiter.settle(charge, used: 50, now: t0)["x-ratelimit-remaining-tokens"] == "950")
        let d2 = limiter.admit(both, estimatedTokens: { 300 }, now: t0)
        #expect(limiter.settle(try #require(d2.charge), used: nil, now: t0)["x-ratelimit-remaining-tokens"] == "650", "unknown: the estimate stays")
    }
}
