import Testing
import TriageCore
@testable import TriageWorker

@Suite struct WatchdogTickerTests {
    private func watchdog(firstByte: Duration) -> AttemptWatchdog {
        AttemptWatchdog(limits: AttemptLimits(firstByte: firstByte, firstToken: .seconds(60), streamIdle: .seconds(60), total: .seconds(60),
                                              deadline: .now + .seconds(60)),
                        stream: false)
    }

    @Test func anAttemptPastItsFirstByteLimitIsWokenWithTheKindThatFired() async {
        let ticker = WatchdogTicker(interval: .milliseconds(10))
        let w = watchdog(firstByte: .milliseconds(50))
        let started = ContinuousClock.now
        await ticker.fired(w)
        let took = started.duration(to: .now)
        #expect(w.fired == .firstByteTimeout)
        // Not before its limit. The upper bound only says it fired at all: the test process runs
        // integration tests beside this one, whose synchronous waits can hold the cooperative pool's
        // threads (two on a 2-core machine) for seconds.
        #expect(took >= .milliseconds(50) && took < .seconds(30), "\(took)")
        #expect(ticker.registered == 0)
    }

    @Test func anAttemptThatAnswersInTimeIsNeverWokenAndLeavesNothingBehind() async throws {
        let ticker = WatchdogTicker(interval: .milliseconds(5))
        // Many attempts that end (their waiter is cancelled) at every stage: before, while and after registering.
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                let w = watchdog(firstByte: .seconds(60))
                let waiter = Task { await ticker.fired(w) }
                if i % 3 == 1 { await Task.yield() }
                if i % 3 == 2 { try? await Task.sleep(for: .milliseconds(1)) }
                waiter.cancel()
                group.addTask { await waiter.value }
                #expect(w.fired == nil)
            }
        }
        #expect(ticker.registered == 0, "entries left behind by cancelled waiters")
    }

    @Test func aWatchdogThatFiresAsItsAttemptEndsLeavesNothingBehind() async throws {
        let ticker = WatchdogTicker(interval: .milliseconds(1))
        for _ in 0..<100 {
            let w = watchdog(firstByte: .milliseconds(2))
            let waiter = Task { await ticker.fired(w) }
            try await Task.sleep(for: .milliseconds(2))
            waiter.cancel()  // races the clock's tick that fires it
            await waiter.value
        }
        #expect(ticker.registered == 0, "entries left behind when firing and cancelling raced")
    }
}
