import Testing
import TriageCore

@Suite struct FailoverMachineTests {
    typealias F = FailoverFixture

    // MARK: 429

    @Test func rateLimitWithRetryAfterWaitsOnceThenClimbs() {
        var m = F.machine()
        #expect(m.firstTier(now: F.t0) == .attempt(tier: 0))
        #expect(m.next(after: F.http(429, retryAfter: 2), now: F.at(0.1)) == .retrySameModel(after: .seconds(2)))
        #expect(m.currentTier == 0)
        #expect(m.next(after: F.http(429, retryAfter: 2), now: F.at(2.2)) == .climb(toTier: 1, reason: .retryAfterTooLong(.seconds(2))))
        #expect(m.next(after: .success, now: F.at(3)) == .succeed)
    }

    @Test func retryAfterAboveTheCapClimbsAtOnce() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(429, retryAfter: 6), now: F.at(0.1)) == .climb(toTier: 1, reason: .retryAfterTooLong(.seconds(6))))
        var capped = F.machine(FailoverPolicy(retryAfterCap: .seconds(10)))
        _ = capped.firstTier(now: F.t0)
        #expect(capped.next(after: F.http(429, retryAfter: 6), now: F.at(0.1)) == .retrySameModel(after: .seconds(6)))
    }

    @Test func retryAfterBeyondTheBudgetClimbs() {
        var m = F.machine(FailoverPolicy(requestBudget: .seconds(3)))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(429, retryAfter: 4), now: F.at(0.5)) == .climb(toTier: 1, reason: .retryAfterTooLong(.seconds(4))))
    }

    @Test func retryAfterZeroStillKeepsTheFloor() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(429, retryAfter: 0), now: F.at(0.01)) == .retrySameModel(after: .milliseconds(250)))
    }

    @Test func rateLimitWithoutRetryAfterBacksOffABoundedNumberOfTimes() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        // No jitter: 500 ms, then 1 s; then the two retries are used up.
        #expect(m.next(after: F.http(429), now: F.at(0.1)) == .retrySameModel(after: .milliseconds(500)))
        #expect(m.next(after: F.http(429), now: F.at(0.7)) == .retrySameModel(after: .seconds(1)))
        #expect(m.next(after: F.http(429), now: F.at(1.8)) == .climb(toTier: 1, reason: .failed(.rateLimited)))
        #expect(m.failures.count == 3)
    }

    @Test func jitterTakesOffUpToItsFractionButNeverGoesBelowTheFloor() {
        var m = F.machine(jitterBits: .max)  // r ≈ 1: the most jitter
        _ = m.firstTier(now: F.t0)
        guard case .retrySameModel(let d) = m.next(after: F.http(429), now: F.at(0.1)) else {
            Issue.record("expected a retry"); return
        }
        #expect(d >= .milliseconds(250) && d < .milliseconds(260))  // 500 ms × (1 - 0.5) = 250 ms
        var small = F.machine(FailoverPolicy(backoffFloor: .milliseconds(400), backoffBase: .milliseconds(100)), jitterBits: .max)
        _ = small.firstTier(now: F.t0)
        #expect(small.next(after: F.http(429), now: F.at(0.5)) == .retrySameModel(after: .milliseconds(400)))
    }

    @Test func neverTwoAttemptsCloserThanTheFloor() {
        var m = F.machine(FailoverPolicy(backoffFloor: .seconds(2), backoffBase: .milliseconds(100)))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(503), now: F.at(0.5)) == .retrySameModel(after: .seconds(2)))
        var n = F.machine(FailoverPolicy(backoffFloor: .seconds(1)))
        _ = n.firstTier(now: F.t0)
        #expect(n.next(after: F.http(429, retryAfter: 0.1), now: F.at(0.5)) == .retrySameModel(after: .seconds(1)))
    }

    @Test func maxAttemptsPerModelBoundsRetries() {
        var m = F.machine(FailoverPolicy(maxAttemptsPerModel: 2, rateLimitRetries: 5))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(429), now: F.at(0.1)) == .retrySameModel(after: .milliseconds(500)))
        #expect(m.next(after: F.http(429), now: F.at(1)) == .climb(toTier: 1, reason: .attemptsExhausted))
    }

    // MARK: 5xx and resets

    @Test(arguments: [500, 502, 503, 504, 529])
    func serverErrorRetriesOnceThenClimbs(status: Int) {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(status), now: F.at(0.1)) == .retrySameModel(after: .milliseconds(500)))
        #expect(m.next(after: F.http(status), now: F.at(0.7)) == .climb(toTier: 1, reason: .failed(.serverError)))
    }

    @Test func resetBeforeTheResponseRetriesOnceThenClimbs() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.fail(.reset), now: F.at(0.1)) == .retrySameModel(after: .milliseconds(500)))
        #expect(m.next(after: F.fail(.reset), now: F.at(0.7)) == .climb(toTier: 1, reason: .failed(.reset)))
    }

    @Test func nonTransientServerErrorClimbsAtOnce() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(501), now: F.at(0.1)) == .climb(toTier: 1, reason: .failed(.serverError)))
    }

    @Test func exhaustedLadderFailsWithEveryAttempt() {
        var m = F.machine(FailoverPolicy(serverErrorRetries: 0), start: 1)
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(503), now: F.at(0.1)) == .climb(toTier: 2, reason: .failed(.serverError)))
        guard case .fail(let status, let error) = m.next(after: F.fail(.connect), now: F.at(0.2)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 502)
        #expect(error.code == "upstream_failed")
        #expect(error.message.contains("mid/m1=server_error(503), top/m2=connect"))
    }

    // MARK: Silence and streams

    @Test(arguments: [AttemptFailure.Kind.firstByteTimeout, .firstTokenTimeout, .streamStalled, .streamCut, .malformed, .timeout, .connect])
    func silentOrBrokenAttemptsClimbWithoutRetry(kind: AttemptFailure.Kind) {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.fail(kind), now: F.at(30)) == .climb(toTier: 1, reason: .failed(kind)))
        #expect(m.failures.map(\.kind) == [kind])
    }

    @Test(arguments: [AttemptFailure.Kind.streamCut, .streamStalled, .malformed, .serverError])
    func failureAfterContentReachedTheClientEndsTheStreamWithAnError(kind: AttemptFailure.Kind) {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        guard case .fail(let status, let error) = m.next(after: F.fail(kind, delivered: true), now: F.at(1)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 502)
        #expect(error.code == "stream_interrupted")
        // Terminal: asking again gives the same answer.
        #expect(m.next(after: .success, now: F.at(2)) == .fail(status: status, error: error))
    }

    @Test func limitsAreCutToTheBudget() {
        var m = F.machine(FailoverPolicy(firstByteTimeout: .seconds(30), streamIdleTimeout: .seconds(15), requestBudget: .seconds(40)))
        _ = m.firstTier(now: F.t0)
        let early = m.limits(now: F.t0)
        #expect(early.firstByte == .seconds(30))
        #expect(early.firstToken == .seconds(30))
        #expect(early.streamIdle == .seconds(15))
        #expect(early.total == .seconds(40))  // tier timeout 60 s, budget 40 s
        let late = m.limits(now: F.at(35))
        #expect(late.firstByte == .seconds(5))
        #expect(late.streamIdle == .seconds(5))
        #expect(m.limits(now: F.at(50)).firstByte == .zero)
    }

    @Test func budgetSpentFailsWith504() {
        var m = F.machine(FailoverPolicy(requestBudget: .seconds(10)))
        _ = m.firstTier(now: F.t0)
        guard case .fail(let status, let error) = m.next(after: F.fail(.firstByteTimeout), now: F.at(10)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 504)
        #expect(error.code == "timeout")
        #expect(error.message.contains("cheap/m0=first_byte_timeout"))
    }

    @Test func noAttemptStartsWithAlmostNothingLeftOfTheBudget() {
        var m = F.machine(FailoverPolicy(requestBudget: .seconds(10)))
        _ = m.firstTier(now: F.t0)
        // A transport timeout that fired a hair before the deadline: no climb to an attempt that cannot answer.
        guard case .fail(let status, _) = m.next(after: F.fail(.timeout), now: F.at(9.99)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 504)
    }

    @Test func retryThatWouldOverrunTheBudgetClimbsInstead() {
        var m = F.machine(FailoverPolicy(requestBudget: .seconds(10)))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(503), now: F.at(9.8)) == .climb(toTier: 1, reason: .failed(.serverError)))
    }

    // MARK: Context windows

    @Test func contextLengthClimbsToTheFirstTierThatFits() {
        var m = F.machine(tiers: F.tiers(windows: [8_000, 16_000, 200_000]), tokens: 20_000)
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(400, code: "context_length_exceeded"), now: F.at(0.1))
                == .climb(toTier: 2, reason: .contextWindow(needed: 20_000)))
    }

    @Test func contextLengthWithAnUnderestimateSkipsWindowsNoBiggerThanTheFailedOne() {
        // Estimated 5k tokens, but the 8k model refused: a same-size window cannot help either.
        var m = F.machine(tiers: F.tiers(windows: [8_000, 8_000, 32_000]), tokens: 5_000)
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(400, code: "context_length_exceeded"), now: F.at(0.1))
                == .climb(toTier: 2, reason: .contextWindow(needed: 8_001)))
    }

    @Test func contextLengthWithNoTierThatFitsIsAClean400() {
        var m = F.machine(tiers: F.tiers(windows: [8_000, 16_000, 32_000]), tokens: 50_000)
        _ = m.firstTier(now: F.t0)
        guard case .fail(let status, let error) = m.next(after: F.http(400, code: "context_length_exceeded"), now: F.at(0.1)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 400)
        #expect(error.code == "context_length_exceeded")
        #expect(error.type == "invalid_request_error")
        #expect(error.message.contains("32000"))
    }

    @Test func contextLengthNeverRetriesTheSameModel() {
        var m = F.machine(tiers: F.tiers(windows: [nil, nil, nil]))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(400, code: "context_length_exceeded"), now: F.at(0.1))
                == .climb(toTier: 1, reason: .contextWindow(needed: 100)))
    }

    // MARK: Content policy, client errors, auth

    @Test func contentFilterReturnsTheProvidersReasonByDefault() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        guard case .fail(let status, let error) = m.next(after: F.http(400, code: "content_policy_violation"), now: F.at(0.1)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 400)
        #expect(error.code == "content_policy_violation")
        #expect(error.message == "provider says content_policy_violation")
    }

    @Test func contentFilterClimbsWhenSetTo() {
        var m = F.machine(FailoverPolicy(climbOnContentFilter: true))
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(400, code: "content_filter"), now: F.at(0.1)) == .climb(toTier: 1, reason: .failed(.contentFilter)))
    }

    @Test func otherClientErrorsGoBackAsTheProviderSaidThem() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        guard case .fail(let status, let error) = m.next(after: F.http(422, code: "bad_param"), now: F.at(0.1)) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 422)
        #expect(error.code == "bad_param")
    }

    @Test(arguments: [401, 403])
    func authErrorMarksTheProviderMisconfiguredAndSkipsItsTiers(status: Int) {
        var m = F.machine()  // cheap and mid are both on provider a
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.http(status), now: F.at(0.1)) == .climb(toTier: 2, reason: .providerMisconfigured(provider: "a")))
        guard case .fail(let s, let error) = m.next(after: F.http(status), now: F.at(0.2)) else {
            Issue.record("expected a failure"); return
        }
        #expect(s == 502)
        #expect(error.message.contains("misconfigured"))
        #expect(error.message.contains("'a'"))
        #expect(AttemptFailure.http(status: status, message: "x").circuitEffect == .trip)
    }

    @Test func cancelledEndsAt499() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: F.fail(.cancelled), now: F.at(0.1)) == .fail(status: 499, error: FailoverError.cancelled.body))
    }

    // MARK: Circuits

    @Test func firstTierSkipsOpenCircuits() {
        var m = F.machine()
        #expect(m.firstTier(openCircuits: [0], now: F.t0) == .attempt(tier: 1))
        #expect(m.skippedForCircuit == [0])
        // Climbing skips them too.
        var n = F.machine()
        _ = n.firstTier(openCircuits: [1], now: F.t0)
        #expect(n.next(after: F.fail(.connect), now: F.at(0.1)) == .climb(toTier: 2, reason: .failed(.connect)))
    }

    @Test func everyCircuitOpenFailsFastWith503() {
        var m = F.machine(start: 1)
        guard case .fail(let status, let error) = m.firstTier(openCircuits: [1, 2], now: F.t0) else {
            Issue.record("expected a failure"); return
        }
        #expect(status == 503)
        #expect(error.code == "circuit_open")
    }

    @Test func probeRefusedClimbsWithoutCountingAnAttempt() {
        var m = F.machine()
        _ = m.firstTier(now: F.t0)
        #expect(m.next(after: .circuitOpen, now: F.at(0.01)) == .climb(toTier: 1, reason: .circuitOpen))
        #expect(m.failures.isEmpty)
    }
}
