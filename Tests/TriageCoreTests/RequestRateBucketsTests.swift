import Testing
@testable import TriageCore

/// Team request rate limits: a burst of the minute's allowance, then the rate, per team.
@Suite struct RequestRateBucketsTests {
    let t0 = ContinuousClock.now

    @Test func aTeamMayBurstItsLimitThenWaitsForTheRefill() {
        var buckets = RequestRateBuckets()
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
        var buckets = RequestRateBuckets()
        #expect(buckets.admit(team: 1, limit: 1, now: t0).admitted)
        #expect(!buckets.admit(team: 1, limit: 1, now: t0).admitted)
        #expect(buckets.admit(team: 2, limit: 1, now: t0).admitted, "team 1's use does not count against team 2")
        let refused = buckets.admit(team: 1, limit: 1, now: t0 + .seconds(30))
        #expect(!refused.admitted)
        #expect(refused.retryAfter == .seconds(30), "one a minute: half of it has refilled half a request")
    }

    @Test func aChangedLimitTakesEffectAtOnceCountingWhatWasUsed() {
        var buckets = RequestRateBuckets()
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
        var buckets = RequestRateBuckets()
        #expect(buckets.admit(team: 1, limit: 3, now: t0).admitted)
        let later = buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600))
        #expect(later.admitted)
        #expect(later.remaining == 2, "an idle hour refills the bucket to its limit, no more")
        #expect(buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
        #expect(buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
        #expect(!buckets.admit(team: 1, limit: 3, now: t0 + .seconds(3_600)).admitted)
    }

    @Test func bucketsLeftAloneForAMinuteAreForgottenAsFull() {
        var buckets = RequestRateBuckets()
        for team in 0..<100 { _ = buckets.admit(team: Int64(team), limit: 1, now: t0) }
        #expect(buckets.trackedTeams == 100)
        _ = buckets.admit(team: 500, limit: 1, now: t0 + .seconds(59))
        buckets.prune(now: t0 + .seconds(60))
        #expect(buckets.trackedTeams == 1, "only the bucket touched within the minute is kept")
        #expect(buckets.admit(team: 3, limit: 1, now: t0 + .seconds(60)).admitted, "a forgotten team starts full, as it would have refilled")
        #expect(!buckets.admit(team: 500, limit: 1, now: t0 + .seconds(60)).admitted, "the kept bucket still counts its request")
    }
}

/// The rate-limit headers, in the form OpenAI's clients read.
@Suite struct RequestRateHeadersTests {
    @Test func anAdmittedRequestSaysWhatIsLeftAndWhenTheBucketIsFull() {
        var buckets = RequestRateBuckets()
        let t0 = ContinuousClock.now
        _ = buckets.admit(team: 1, limit: 120, now: t0)
        let h = buckets.admit(team: 1, limit: 120, now: t0).headers
        #expect(h == ["x-ratelimit-limit-requests": "120", "x-ratelimit-remaining-requests": "118", "x-ratelimit-reset-requests": "1s"])
    }

    @Test func aRefusalSaysWhenToRetryInWholeSecondsAndMilliseconds() {
        var buckets = RequestRateBuckets()
        let t0 = ContinuousClock.now
        for _ in 0..<60 { _ = buckets.admit(team: 1, limit: 60, now: t0) }
        let refused = buckets.admit(team: 1, limit: 60, now: t0 + .milliseconds(250))
        #expect(!refused.admitted)
        // 60 a minute refill one a second; a quarter of one came back in 250 ms.
        #expect(refused.headers["retry-after-ms"] == "750")
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.headers["x-ratelimit-reset-requests"] == "59.75s")
        #expect(refused.headers["x-ratelimit-remaining-requests"] == "0")
    }

    @Test func durationsArePrintedAsGoPrintsThem() {
        typealias A = RequestRateBuckets.Admission
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
