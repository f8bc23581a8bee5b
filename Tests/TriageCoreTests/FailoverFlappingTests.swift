import Foundation
import Testing
import TriageCore

/// The flapping case of issue 3, driven through the machine and the breaker with simulated
/// time: the cheapest model is down for the first 60 s, then healthy. Every request must be
/// served (from the next tier during the outage), and traffic must return to the first model
/// within seconds of its recovery.
@Suite struct FailoverFlappingTests {
    @Test func everyRequestIsServedAndTrafficReturnsAfterRecovery() {
        let circuit = CircuitPolicy(failureThreshold: 3, coolDown: .seconds(5), probeTimeout: .seconds(30))
        let tiers = FailoverFixture.tiers()
        let wall0 = Date(timeIntervalSince1970: 1_700_000_000)
        var breakers = Array(repeating: CircuitBreaker(), count: tiers.count)
        var servedBy: [(second: Double, tier: Int)] = []
        var attemptsOnDownModel = 0

        // One request every half second for two minutes; each fails over as the machine says.
        for step in 0..<240 {
            let second = Double(step) / 2
            var clock = FailoverFixture.at(second)
            let wall = { (c: ContinuousClock.Instant) in wall0.addingTimeInterval(FailoverFixture.t0.duration(to: c).seconds) }
            var m = FailoverMachine(policy: FailoverPolicy(), tiers: tiers, startTier: 0, estimatedTokens: 50, now: clock,
                                    random: FixedRandom(value: 0))
            let open = Set(tiers.indices.filter { !breakers[$0].isAvailable(now: wall(clock), policy: circuit) })
            var action = m.firstTier(openCircuits: open, now: clock)
            var served: Int?
            loop: while true {
                switch action {
                case .attempt, .climb, .retrySameModel:
                    if case .retrySameModel(let d) = action { clock = clock + d }
                    let tier = m.currentTier
                    if case .reject = breakers[tier].admit(now: wall(clock), policy: circuit) {
                        action = m.next(after: .circuitOpen, now: clock)
                        continue
                    }
                    let down = tier == 0 && FailoverFixture.t0.duration(to: clock) < .seconds(60)
                    if down { attemptsOnDownModel += 1 }
                    let outcome: AttemptOutcome = down ? FailoverFixture.http(503) : .success
                    clock = clock + .milliseconds(20)
                    breakers[tier].record(outcome.circuitEffect, now: wall(clock), policy: circuit)
                    if outcome == .success { served = tier }
                    action = m.next(after: outcome, now: clock)
                case .succeed:
                    break loop
                case .fail(let status, let error):
                    Issue.record("request at \(second)s failed: \(status) \(error.message)")
                    break loop
                }
            }
            if let served { servedBy.append((second, served)) }
        }
        #expect(servedBy.count == 240)
        // During the outage nothing is served by the down model.
        #expect(servedBy.filter { $0.second < 60 }.allSatisfy { $0.tier == 1 })
        // The down model saw a few failures and one probe per cool-down, not every request.
        #expect(attemptsOnDownModel < 40)
        // Within cool-down plus a request interval of recovery, traffic is back on the first model, and stays.
        let back = servedBy.first { $0.second >= 60 && $0.tier == 0 }
        #expect(back != nil && back!.second <= 66)
        #expect(servedBy.filter { $0.second >= 66 }.allSatisfy { $0.tier == 0 })
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
