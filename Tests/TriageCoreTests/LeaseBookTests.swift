import Foundation
import Synchronization
import Testing
import TriageCore

/// A worker's budget leases, as bookkeeping: what is drawn, what goes back, and when the store
/// must be asked.
@Suite struct LeaseBookTests {
    let t = Date(timeIntervalSince1970: 1_800_000_000)

    /// A book whose keys are k1, k2, … in order.
    private func book(attempts: Int = 4, window: TimeInterval = 300) -> LeaseBook {
        let counter = Counter()
        return LeaseBook(attempts: attempts, window: window, idleAfter: 1) { "k\(counter.next())" }
    }

    private final class Counter: Sendable {
        private let n = Mutex(0)
        func next() -> Int { n.withLock { $0 += 1; return $0 } }
    }

    @Test func theGrantIsSeveralAttemptsAtMostASixteenthOfTheHeadroomAndNeverLessThanTheNeed() {
        #expect(LeaseBook.grant(need: 10, attempts: 32, headroom: 1_000_000) == 320)
        #expect(LeaseBook.grant(need: 10, attempts: 32, headroom: 1_600) == 100, "a sixteenth of what is left")
        #expect(LeaseBook.grant(need: 10, attempts: 32, headroom: 50) == 10, "never less than the attempt needs")
        #expect(LeaseBook.grant(need: 10, attempts: 32, headroom: 9) == nil, "refused when the attempt does not fit")
        #expect(LeaseBook.grant(need: 1 << 50, attempts: 1 << 20, headroom: .max) == .max / 16, "no overflow")
    }

    @Test func attemptsDrawLocallyUntilTheLeaseRunsOutAndOneTopUpRunsAtATime() {
        var b = book()
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .topUp(key: "k1", returns: []))
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .single, "a second attempt does not wait for the first top-up")
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 40, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        let row = LeaseBook.Row(id: 7, key: "k1")
        for _ in 0..<3 { #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .leased(row)) }
        #expect(b.leases[1]?.available == 0)
        // Two draws settled: the next top-up takes them off the row.
        b.settled(row, amount: 10)
        b.settled(row, amount: 10)
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .topUp(key: "k1", returns: [LeaseBook.Return(row: row, amountNano: 20)]))
        #expect(b.owed.isEmpty)
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 40, inserted: false, drawn: 10, budgetNano: 1_000, now: t)
        #expect(b.leases[1]?.available == 30)
        // Teams lease separately.
        #expect(b.draw(team: 2, amount: 10, budgetNano: 1_000, now: t) == .topUp(key: "k2", returns: []))
    }

    @Test func aTopUpThatFailedGivesBackWhatItTookAndLetsTheNextTry() {
        var b = book()
        _ = b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 10, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        b.settled(LeaseBook.Row(id: 7, key: "k1"), amount: 10)
        let owed = [LeaseBook.Return(row: LeaseBook.Row(id: 7, key: "k1"), amountNano: 10)]
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .topUp(key: "k1", returns: owed))
        b.topUpEnded(team: 1, returns: owed)  // e.g. SQLITE_BUSY past the timeout
        #expect(b.owed[LeaseBook.Row(id: 7, key: "k1")] == 10)
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .topUp(key: "k1", returns: owed))
    }

    @Test func aChangedBudgetOrAnOldLeaseIsGivenUpAndReturned() {
        var b = book(window: 300)
        _ = b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 40, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        // The operator lowered the budget: a new lease is made, whose top-up gives the old one's 30 back first.
        #expect(b.draw(team: 1, amount: 10, budgetNano: 500, now: t)
                == .topUp(key: "k2", returns: [LeaseBook.Return(row: LeaseBook.Row(id: 7, key: "k1"), amountNano: 30)]))
        b.toppedUp(team: 1, key: "k2", rowID: 8, granted: 40, inserted: true, drawn: 10, budgetNano: 500, now: t)
        #expect(b.owed.isEmpty)
        // Half the TTL after its top-up a lease is drawn no more: its row could lapse.
        #expect(b.draw(team: 1, amount: 10, budgetNano: 500, now: t.addingTimeInterval(300))
                == .topUp(key: "k3", returns: [LeaseBook.Return(row: LeaseBook.Row(id: 8, key: "k2"), amountNano: 30)]))
    }

    @Test func idleLeasesGoBackWithWhatTheirSettledAttemptsDrew() {
        var b = book()
        _ = b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 40, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        let row = LeaseBook.Row(id: 7, key: "k1")
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t) == .leased(row))
        b.settled(row, amount: 10)
        #expect(b.returns(now: t.addingTimeInterval(0.5)).isEmpty, "a lease in use keeps what it holds")
        #expect(b.returns(now: t.addingTimeInterval(1)) == [LeaseBook.Return(row: row, amountNano: 30)], "20 undrawn + 10 settled")
        #expect(b.leases.isEmpty)
        // The first attempt settles after the lease went back: its draw follows on the next return.
        b.settled(row, amount: 10)
        #expect(b.returns(now: t.addingTimeInterval(1.1)) == [LeaseBook.Return(row: row, amountNano: 10)])
        #expect(b.returns(now: t.addingTimeInterval(1.2)).isEmpty)
    }

    @Test func aRowMadeAnewUnderTheSameKeyOwesNothingOfTheOldOne() {
        var b = book()
        _ = b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
        b.toppedUp(team: 1, key: "k1", rowID: 7, granted: 20, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        _ = b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
        b.settled(LeaseBook.Row(id: 7, key: "k1"), amount: 10)
        #expect(b.draw(team: 1, amount: 10, budgetNano: 1_000, now: t)
                == .topUp(key: "k1", returns: [LeaseBook.Return(row: LeaseBook.Row(id: 7, key: "k1"), amountNano: 10)]))
        b.settled(LeaseBook.Row(id: 7, key: "k1"), amount: 10)
        // The store found the row gone (reclaimed) and made row 9: row 7's amounts are nobody's.
        b.toppedUp(team: 1, key: "k1", rowID: 9, granted: 20, inserted: true, drawn: 10, budgetNano: 1_000, now: t)
        #expect(b.leases[1]?.row == LeaseBook.Row(id: 9, key: "k1") && b.leases[1]?.available == 10)
        #expect(b.returns(now: t.addingTimeInterval(5), all: true) == [LeaseBook.Return(row: LeaseBook.Row(id: 9, key: "k1"), amountNano: 10)])
    }
}
