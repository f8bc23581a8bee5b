import Foundation
import Testing
import TriageCore

@Suite struct BudgetPeriodTests {
    private func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    @Test func dailyWeeklyMonthlyStartAtUTCBoundaries() {
        let t = date("2026-11-29T23:59:59Z")  // a Sunday
        #expect(BudgetPeriod.daily.start(containing: t) == date("2026-11-29T00:00:00Z"))
        #expect(BudgetPeriod.weekly.start(containing: t) == date("2026-11-23T00:00:00Z"))  // Monday
        #expect(BudgetPeriod.monthly.start(containing: t) == date("2026-11-01T00:00:00Z"))
        #expect(BudgetPeriod.total.start(containing: t) == Date(timeIntervalSince1970: 0))
    }

    @Test func spendJustBeforeAndAfterABoundaryLandsInItsOwnPeriod() {
        let before = date("2026-11-30T23:59:59Z")
        let after = date("2026-12-01T00:00:00Z")
        #expect(BudgetPeriod.monthly.start(containing: before) == date("2026-11-01T00:00:00Z"))
        #expect(BudgetPeriod.monthly.start(containing: after) == date("2026-12-01T00:00:00Z"))
        #expect(BudgetPeriod.monthly.end(containing: before) == after)
        #expect(BudgetPeriod.daily.start(containing: after) == after)
        #expect(BudgetPeriod.weekly.start(containing: date("2026-11-30T00:00:00Z")) == date("2026-11-30T00:00:00Z"))
        #expect(BudgetPeriod.weekly.start(containing: date("2026-11-29T23:59:59Z")) == date("2026-11-23T00:00:00Z"))
        #expect(BudgetPeriod.total.end(containing: after) == nil)
    }

    @Test func monthEndsHandleShortMonthsAndLeapYears() {
        #expect(BudgetPeriod.monthly.end(containing: date("2028-02-10T12:00:00Z")) == date("2028-03-01T00:00:00Z"))
        #expect(BudgetPeriod.monthly.end(containing: date("2026-12-31T12:00:00Z")) == date("2027-01-01T00:00:00Z"))
    }

    /// The periods are plain arithmetic, not `Calendar`: they must agree with it everywhere.
    @Test func periodsAgreeWithFoundationsGregorianCalendarInUTC() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 2
        var generator = SystemRandomNumberGenerator()
        // 1970 to 2200, and the seconds around midnights (and before 1970, in case of a bad clock).
        var dates = (0..<3_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -1e9...7.3e9, using: &generator)) }
        for day in stride(from: -400.0, to: 80_000, by: 97) {
            for offset in [-0.001, 0, 0.25, 86_399.999] { dates.append(Date(timeIntervalSince1970: day * 86_400 + offset)) }
        }
        for t in dates {
            #expect(BudgetPeriod.daily.start(containing: t) == calendar.startOfDay(for: t), "\(t)")
            #expect(BudgetPeriod.weekly.start(containing: t) == calendar.dateInterval(of: .weekOfYear, for: t)!.start, "\(t)")
            let month = calendar.dateInterval(of: .month, for: t)!
            #expect(BudgetPeriod.monthly.start(containing: t) == month.start, "\(t)")
            #expect(BudgetPeriod.monthly.end(containing: t) == month.end, "\(t)")
            #expect(BudgetPeriod.weekly.end(containing: t) == calendar.date(byAdding: .day, value: 7, to: calendar.dateInterval(of: .weekOfYear, for: t)!.start))
            #expect(BudgetPeriod.daily.end(containing: t) == calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t)))
        }
    }

    @Test func worstCaseEstimateUsesMaxTokensOrTheDefault() throws {
        let price = Price(inputPerMTok: 1, outputPerMTok: 2)
        let withMax = try ChatRequest(body: .object(["model": .string("auto"), "max_tokens": .int(100),
                                                     "messages": .array([.object(["role": .string("user"), "content": .string("hi")])])]))
        let noMax = try ChatRequest(body: .object(["model": .string("auto"),
                                                   "messages": .array([.object(["role": .string("user"), "content": .string("hi")])])]))
        let a = CostEstimate.worstCase(withMax, price: price, defaultMaxTokens: 4096)
        let b = CostEstimate.worstCase(noMax, price: price, defaultMaxTokens: 4096)
        // output dominates: 100 vs 4096 tokens at $2/Mtok
        #expect(a.nanoUSD >= 200_000 && a.nanoUSD < 300_000)
        #expect(b.nanoUSD >= 8_192_000 && b.nanoUSD < 8_300_000)
    }

    @Test func aJudgeCallsWorstCaseCoversItsPromptAndMaxTokens() {
        let price = Price(inputPerMTok: 1000, outputPerMTok: 2000)
        let system = String(repeating: "r", count: 800), user = String(repeating: "q", count: 400)  // 200 + 100 tokens
        let worst = CostEstimate.worstCase(prompt: [system, user], maxTokens: 24, price: price)
        let actual = price.cost(promptTokens: 200 + 100 + 11, completionTokens: 24)  // the text plus chat framing, all of max_tokens
        #expect(worst.nanoUSD >= actual.nanoUSD, "the reservation covers the call")
        #expect(worst.nanoUSD < actual.nanoUSD * 3 / 2, "without reserving far more than it can cost")
    }
}
