import Testing
import TriageCore

/// Requests in flight per team: at most the limit, each place given back once.
@Suite struct InFlightCountsTests {
    @Test func aTeamHoldsAtMostItsLimitAndGetsPlacesBack() {
        var counts = InFlightCounts()
        let taken = [counts.take(team: 1, limit: 2), counts.take(team: 1, limit: 2), counts.take(team: 1, limit: 2)]
        #expect(taken == [true, true, false], "two in flight: the third waits")
        let other = counts.take(team: 2, limit: 2)
        #expect(other, "another team has places of its own")
        counts.release(team: 1)
        #expect(counts.count(team: 1) == 1)
        let again = [counts.take(team: 1, limit: 2), counts.take(team: 1, limit: 1)]
        #expect(again == [true, false], "a place came back; a limit cut below what runs admits nothing until enough end")
        counts.release(team: 1)
        counts.release(team: 1)
        counts.release(team: 2)
        #expect(counts.busyTeams == 0, "teams with nothing in flight are forgotten")
        counts.release(team: 1)
        #expect(counts.count(team: 1) == 0, "a release with nothing held changes nothing")
    }
}
