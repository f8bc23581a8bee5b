import Testing
import TriageCore

@Suite("Progress meter")
struct ProgressMeterTests {
    @Test("the line shows bar, percentage, counts, rate and ETA")
    func lineWithTotal() {
        let meter = ProgressMeter(label: "features", total: 10_000, unit: "rows", start: 100)
        // 3,000 rows after 2 s: 1,500 rows/s, 7,000 left → ETA 4.7 s.
        let line = meter.line(done: 3_000, now: 102, barWidth: 10)
        #expect(line == "features [███░░░░░░░]  30% 3,000/10,000 rows · 1,500 rows/s · ETA 4.7 s")
    }

    @Test("plain lines have no bar; a finished line shows the elapsed time instead of an ETA")
    func plainAndFinished() {
        let meter = ProgressMeter(label: "eval", total: 1_200, unit: "queries", start: 0)
        #expect(meter.line(done: 1_200, now: 75, barWidth: nil) == "eval 100% 1,200/1,200 queries · 16 queries/s · 1 min 15 s")
    }

    @Test("without a total: counts and rate only")
    func noTotal() {
        let meter = ProgressMeter(label: "replay", total: nil, unit: "requests", start: 0)
        #expect(meter.line(done: 42, now: 2) == "replay 42 requests · 21 requests/s")
    }

    @Test("lines are throttled, but the first and the last always print")
    func throttling() {
        var meter = ProgressMeter(label: "x", total: 100, unit: "rows", start: 0)
        let plain = [(1, 0.01), (50, 1), (60, 0.01 + ProgressMeter.plainInterval), (100, 5.02)].map { done, now in
            meter.isDue(done: done, now: now, terminal: false)
        }
        // First prints, 1 s later does not, one interval later does, the final count always does.
        #expect(plain == [true, false, true, true])
        var tty = ProgressMeter(label: "x", total: 100, unit: "rows", start: 0)
        let redraws = [(1, 0.0), (2, 0.05), (3, 0.2)].map { done, now in tty.isDue(done: done, now: now, terminal: true) }
        #expect(redraws == [true, false, true])
    }
}
