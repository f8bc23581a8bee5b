import Testing
@testable import TriageCoordinator
import TriageCore
import TriageWire

/// A request's place among its team's requests in flight comes back once, however the request
/// ends: released, or dropped unreleased (a stream whose response was never sent).
@Suite struct TeamConcurrencyLimiterTests {
    let busy = Authenticator.Identity(caller: Caller(teamID: 1, team: "busy"), maxConcurrent: 2)

    @Test func placesComeBackOnceWhetherReleasedOrDropped() throws {
        let limiter = TeamConcurrencyLimiter()
        let first = try #require(try limiter.admit(busy))
        do {
            let second = try limiter.admit(busy)
            #expect(limiter.inFlight(team: 1) == 2)
            do throws(TriageError) {
                _ = try limiter.admit(busy)
                Issue.record("a third request was admitted")
            } catch {
                #expect(error.status == 429 && error.body.code == "concurrency_limit_exceeded", "\(error)")
                #expect(error.retryAfterSeconds == 1)
            }
            first.release()
            first.release()
            #expect(limiter.inFlight(team: 1) == 1, "released once, however often asked")
            withExtendedLifetime(second) {}
        }
        #expect(limiter.inFlight(team: 1) == 0, "the second slot, dropped unreleased, gave its place back")
        withExtendedLifetime(first) {}
    }

    @Test func aTeamWithoutALimitTakesNoPlace() throws {
        let limiter = TeamConcurrencyLimiter()
        #expect(try limiter.admit(Authenticator.Identity(caller: Caller(teamID: 3, team: "free"))) == nil)
        #expect(limiter.inFlight(team: 3) == 0)
    }
}
