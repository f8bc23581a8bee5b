import Foundation
import Testing
import TriageCore
import TriageStore
import TriageWire
@testable import TriageWorker

@Suite struct BudgetStatusCacheTests {
    private static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private static func team(budget: Int64?, period: String = "monthly") -> TeamRecord {
        TeamRecord(id: 7, name: "research", budgetNano: budget, period: period, softLimit: 0.5, createdAt: t0)
    }

    private static func status(budget: Int64?, spent: Int64) -> BudgetStatus {
        BudgetStatus(team: team(budget: budget), spentNano: spent, reservedNano: 0)
    }

    @Test func aPositionIsReusedUntilItsAgeAndNotAfter() {
        let cache = BudgetStatusCache(maxAge: 0.1)
        let period = Self.t0.addingTimeInterval(-3600)
        #expect(cache.status(team: 7, now: Self.t0, periodStart: { _ in period }) == nil)
        cache.store(Self.status(budget: 100, spent: 10), periodStart: period, readAt: Self.t0)
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.099), periodStart: { _ in period })?.spentNano == 10)
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.1), periodStart: { _ in period }) == nil)
        #expect(cache.status(team: 8, now: Self.t0, periodStart: { _ in period }) == nil, "another team")
        // A clock that went back does not make an old position young.
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(-1), periodStart: { _ in period }) == nil)
    }

    @Test func aPositionOfAnEarlierPeriodIsNeverReused() {
        let cache = BudgetStatusCache(maxAge: 10)
        let yesterday = Self.t0.addingTimeInterval(-86_400)
        cache.store(Self.status(budget: 100, spent: 90), periodStart: yesterday, readAt: Self.t0)
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.01), periodStart: { _ in yesterday }) != nil)
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.02), periodStart: { _ in Self.t0 }) == nil, "the period turned")
    }

    @Test func anOlderReadNeverReplacesANewerOne() {
        let cache = BudgetStatusCache(maxAge: 1)
        let period = Self.t0
        cache.store(Self.status(budget: 100, spent: 20), periodStart: period, readAt: Self.t0.addingTimeInterval(0.5))
        cache.store(Self.status(budget: 100, spent: 10), periodStart: period, readAt: Self.t0.addingTimeInterval(0.4))
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.6), periodStart: { _ in period })?.spentNano == 20)
        cache.forget(team: 7)
        #expect(cache.status(team: 7, now: Self.t0.addingTimeInterval(0.6), periodStart: { _ in period }) == nil)
    }

    @Test func anAgeOfZeroKeepsNothing() {
        let cache = BudgetStatusCache(maxAge: 0)
        cache.store(Self.status(budget: 100, spent: 10), periodStart: Self.t0, readAt: Self.t0)
        #expect(cache.status(team: 7, now: Self.t0, periodStart: { _ in Self.t0 }) == nil)
    }

    /// Through the worker's budget guard on a real store: the position a request routes by is
    /// read once per `status_cache_ms`, an operator's change shows once that has passed, and a
    /// reservation's own transaction sees a cut at once (and its position replaces the cached one).
    @Test func theGuardReadsTheStoreOncePerAgeAndReservationsAlwaysCheckIt() async throws {
        let fixture = try GuardFixture("status")
        defer { fixture.close() }
        let store = fixture.store
        let team = try fixture.team()
        var guardian = try fixture.guardian()
        guardian.statusCache = BudgetStatusCache(maxAge: 0.1)
        let caller = Caller(teamID: team.id, team: team.name)

        #expect(try guardian.status(of: caller)?.team.budgetNano == 10_000_000_000)
        _ = try store.updateTeam(name: "research", budgetNano: .some(1_000))
        fixture.advance(0.05)
        #expect(try guardian.status(of: caller)?.team.budgetNano == 10_000_000_000, "reused within its age")
        // A reservation checks the budget in its own transaction, whatever the cached position says.
        await #expect(throws: TriageError.self) {
            _ = try await guardian.reserve(caller, requestID: "r1", amount: Money(nanoUSD: 5_000))
        }
        #expect(try guardian.status(of: caller)?.team.budgetNano == 1_000, "the refusal's position replaced the cached one")
        _ = try store.updateTeam(name: "research", budgetNano: .some(2_000))
        fixture.advance(0.1)
        #expect(try guardian.status(of: caller)?.team.budgetNano == 2_000, "read again once its age passed")
    }
}
