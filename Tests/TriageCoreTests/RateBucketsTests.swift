import Testing
@testable import TriageCore

/// Team rate limits: a burst of the minute's allowance, then the rate, per team; tokens taken by
/// estimate and corrected to what was used.
@Suite struct RateBucketsTests {
    let t0 = ContinuousClock.now

    @Test func aTeamMayBurstItsLimitThenWaitsForTheRefill() {
        var buckets = RateBuckets()
        for i in 0..<60 {
            let a = buckets.admit(team: 1, limit: 60, now: t0)
            #expect(a.admitted, "request \(i + 1) of a full minute's allowance")
            #expect(a.remaining == 59 - i)
        }
        let refused = buckets.admit(team: 1, limit: 60, now: t0)
        #expect(!refused.admitted)
        #expect(refused.remaining == 0)
        #expect(refused.retryAfter == .seconds(1), "60 a minute refill one a second")
        #expect(refused.resetAfter == .seconds(60))
        #expect(!buckets.admit(team: 1, limit: 60, now: t0 + .milliseconds(900)).admitted)
        let next = buckets.admit(team: 1, limit: 60, now: t0 + .milliseconds(1_000))
        #expect(next.admitted, "one second refilled one request")
        #expect(next.remaining == 0)
    }

    @Test func teamsHaveBucketsOfTheirOwn() {
        var buckets = RateBuckets()
        #expect(buckets.admit(team: 1, limit: 1, now: t0).admitted)
        #expect(!buckets.admit(team: 1, limit: 1, now: t0).admitted)
        #expect(buckets.admit(team: 2, limit: 1, now: t0).admitted, "team 1's use does not count against team 2")
        let refused = buckets.admit(team: 1, limit: 1, now: t0 + .seconds(30))
        #expect(!refused.admitted)
        #expect(refused.retryAfter == .seconds(30), "one a minute: half of it has refilled half a request")
    }

    @Test func aChangedLimitTakesEffectAtOnceCountingWhatWasUsed() {
        var buckets = RateBuckets()
        for _ in 0..<3 { #expect(buckets.admit(team: 1, limit: 3, now: t0).admitted) }
        #expect(!buckets.admit(team: 1, limit: 3, now: t0).admitted)
        // Raised to 600: the 3 used leave 597.
        let raised = buckets.admit(team: 1, limit: 600, now: t0)
        #expect(raised.admitted)
        #expect(raised.remaining == 596)
        for _ in 0..<6 { #expect(buckets.admit(team: 1, limit: 600, now: t0).admitted) }
        // Cut to 2 after 10 used: nothing left until the refill, at the new rate (one per 30 s).
        let cut = buckets.admit(team: 1, limit: 2, now: t0)
        #expect(!cut.admitted)
        #expect(cut.retryAfter == .seconds(30))
        #expect(buckets.admit(team: 1, limit: 2, now: t0 + .seconds(30)).admitted)
        #expect(!buckets.admit(team: 1, limit: 2, now: t0 + .seconds(30)).admitted)
    }

    @Test func theRefillNeverExceedsTheLimit() {
        var buckets = RateBuckets()
        #expect(buckets.admit(team: 1, limit: 3, now: t0).admitted)
        let later = buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600))
        #expect(later.admitted)
        #expect(later.remaining == 2, "an idle hour refills the bucket to its limit, no more")
        #expect(buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
        #expect(buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
        #expect(!buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
    }

    @Test func bucketsLeftAloneForAMinuteAreForgottenAsFull() {
        var buckets = RateBuckets()
        for team in 0..<100 { _ = buckets.admit(team: Int64(team), limit: 1, now: t0) }
        #expect(buckets.trackedTeams == 100)
        _ = buckets.admit(team: 500, limit: 1, now: t0 + .seconds(59))
        buckets.prune(now: t0 + .seconds(60))
        #expect(buckets.trackedTeams == 1, "only the bucket touched within the minute is kept")
        #expect(buckets.admit(team: 3, limit: 1, now: t0 + .seconds(60)).admitted, "a forgotten team starts full, as it would have refilled")
        #expect(!buckets.admit(team: 500, limit: 1, now: t0 + .seconds(60)).admitted, "the kept bucket still counts its request")
    }
    @Test func tokensAreTakenByEstimateAndCorrectedToWhatWasUsed() {
        var buckets = RateBuckets()
        // 600 tokens a minute refill 10 a second. A request estimated at 400 leaves 200.
        let first = buckets.admit(team: 1, limit: 600, cost: 400, now: t0)
        #expect(first.admitted && first.remaining == 200)
        let tooMany = buckets.admit(team: 1, limit: 600, cost: 300, now: t0)
        #expect(!tooMany.admitted, "300 do not fit in the 200 left")
        #expect(tooMany.remaining == 200, "a refusal takes nothing")
        #expect(tooMany.retryAfter == .seconds(10), "100 more tokens at 10 a second")
        // The answer used 100 of the 400: 300 come back.
        let settled = buckets.settle(team: 1, limit: 600, reserved: 400, used: 100, now: t0)
        #expect(settled.remaining == 500)
        #expect(buckets.admit(team: 1, limit: 600, cost: 300, now: t0).admitted)
    }

    @Test func usingMoreThanEstimatedPutsTheTeamInDebtUntilTheRefillPaysIt() {
        var buckets = RateBuckets()
        // An estimate of 100 (no max_tokens) whose answer used 1,000 of a 600 limit: 400 in debt.
        #expect(buckets.admit(team: 1, limit: 600, cost: 100, now: t0).admitted)
        let debt = buckets.settle(team: 1, limit: 600, reserved: 100, used: 1_000, now: t0)
        #expect(debt.remaining == 0)
        #expect(debt.resetAfter == .seconds(100), "1,000 tokens to refill at 10 a second")
        let refused = buckets.admit(team: 1, limit: 600, cost: 10, now: t0 + .seconds(40))
        #expect(!refused.admitted, "the debt is paid off after 40 s; 10 more tokens take another second")
        #expect(refused.retryAfter == .seconds(1))
        #expect(buckets.admit(team: 1, limit: 600, cost: 10, now: t0 + .seconds(41)).admitted)
        // A bucket in debt is not forgotten, however long it is left alone.
        var idle = RateBuckets()
        _ = idle.settle(team: 7, limit: 60, reserved: 0, used: 600, now: t0)
        idle.prune(now: t0 + .seconds(61))
        #expect(idle.trackedTeams == 1)
        #expect(!idle.admit(team: 7, limit: 60, cost: 1, now: t0 + .seconds(61)).admitted, "479 of the 540 owed are still owed")
    }

    @Test func aCostAboveTheWholeLimitIsNeverAdmitted() {
        var buckets = RateBuckets()
        let a = buckets.admit(team: 1, limit: 100, cost: 101, now: t0 + .seconds(3_600))
        #expect(!a.admitted)
        #expect(a.remaining == 100, "and takes nothing")
    }

    @Test func aRequestCountsItsPromptAndMaxTokensForEachChoice() throws {
        func tokens(_ json: String) throws -> Int { TokenEstimate.rateLimitTokens(try ChatRequest(bytes: Array(json.utf8))) }
        // The prompt: 3 tokens of framing, 4 for the message, 2 for its 8 bytes of text.
        #expect(try tokens(#"{"model":"auto","messages":[{"role":"user","content":"12345678"}]}"#) == 9)
        #expect(try tokens(#"{"model":"auto","messages":[{"role":"user","content":"12345678"}],"max_tokens":100}"#) == 109)
        #expect(try tokens(#"{"model":"auto","messages":[{"role":"user","content":"12345678"}],"max_completion_tokens":100,"n":3}"#) == 309)
    }

    @Test func aCutLimitKeepsADebtButNeverDeepensIt() {
        var buckets = RateBuckets()
        _ = buckets.settle(team: 1, limit: 1_000, reserved: 0, used: 1_100, now: t0)
        let cut = buckets.admit(team: 1, limit: 10, cost: 1, now: t0)
        #expect(!cut.admitted)
        let seconds = Double(cut.retryAfter.components.seconds) + Double(cut.retryAfter.components.attoseconds) * 1e-18
        #expect(abs(seconds - 606) < 0.001, "101 tokens (the 100 owed and 1) at the new 10 a minute: \(seconds)")
    }
}

/// The rate-limit headers, in the form OpenAI's clients read.
@Suite struct RateLimitHeadersTests {
    @Test func anAdmittedRequestSaysWhatIsLeftAndWhenTheBucketIsFull() {
        var buckets = RateBuckets()
        let t0 = ContinuousClock.now
        _ = buckets.admit(team: 1, limit: 120, now: t0)
        let h = buckets.admit(team: 1, limit: 120, now: t0).headers(.requests)
        #expect(h == ["x-ratelimit-limit-requests": "120", "x-ratelimit-remaining-requests": "118", "x-ratelimit-reset-requests": "1s"])
    }

    @Test func aRefusalSaysWhenToRetryInWholeSecondsAndMilliseconds() {
        var buckets = RateBuckets()
        let t0 = ContinuousClock.now
        for _ in 0..<60 { _ = buckets.admit(team: 1, limit: 60, now: t0) }
        let refused = buckets.admit(team: 1, limit: 60, now: t0 + .milliseconds(250))
        #expect(!refused.admitted)
        // 60 a minute refill one a second; a quarter of one came back in 250 ms.
        #expect(refused.headers(.requests)["retry-after-ms"] == "750")
        #expect(refused.headers(.requests)["retry-after"] == "1")
        #expect(refused.headers(.requests)["x-ratelimit-reset-requests"] == "59.75s")
        #expect(refused.headers(.requests)["x-ratelimit-remaining-requests"] == "0")
    }

    @Test func tokenLimitsHaveHeadersOfTheirOwn() {
        var buckets = RateBuckets()
        let t0 = ContinuousClock.now
        let h = buckets.admit(team: 1, limit: 6_000, cost: 1_500, now: t0).headers(.tokens)
        #expect(h == ["x-ratelimit-limit-tokens": "6000", "x-ratelimit-remaining-tokens": "4500", "x-ratelimit-reset-tokens": "15s"])
    }

    @Test func durationsArePrintedAsGoPrintsThem() {
        typealias A = RateBuckets.Admission
        #expect(A.goDuration(milliseconds: 0) == "0ms")
        #expect(A.goDuration(milliseconds: 850) == "850ms")
        #expect(A.goDuration(milliseconds: 8_500) == "8.5s")
        #expect(A.goDuration(milliseconds: 8_640) == "8.64s")
        #expect(A.goDuration(milliseconds: 8_005) == "8.005s")
        #expect(A.goDuration(milliseconds: 60_000) == "1m0s")
        #expect(A.goDuration(milliseconds: 150_250) == "2m30.25s")
        #expect(A.milliseconds(.microseconds(1_001)) == 2, "rounded up")
        #expect(A.milliseconds(.seconds(2)) == 2_000)
    }
}
