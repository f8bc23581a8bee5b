import Foundation
import Testing
import TriageCore

@Suite struct FailoverCircuitBreakerTests {
    let policy = CircuitPolicy(failureThreshold: 3, coolDown: .seconds(5), probeTimeout: .seconds(10))
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }

    @Test func opensAfterConsecutiveFailuresAndRejectsUntilCooledDown() {
        var b = CircuitBreaker()
        for i in 0..<2 {
            #expect(b.admit(now: at(Double(i)), policy: policy) == .allow)
            b.record(.failure, now: at(Double(i)), policy: policy)
            #expect(b.state == .closed)
        }
        b.record(.failure, now: at(2), policy: policy)
        #expect(b.state == .open)
        #expect(!b.isAvailable(now: at(6.9), policy: policy))
        #expect(b.admit(now: at(3), policy: policy) == .reject(until: at(7)))
        #expect(b.isAvailable(now: at(7), policy: policy))
    }

    @Test func aSuccessInBetweenResetsTheCount() {
        var b = CircuitBreaker()
        b.record(.failure, now: t0, policy: policy)
        b.record(.failure, now: t0, policy: policy)
        b.record(.success, now: t0, policy: policy)
        b.record(.failure, now: t0, policy: policy)
        #expect(b.state == .closed)
        #expect(b.consecutiveFailures == 1)
    }

    @Test func oneProbeAfterTheCoolDownAndSuccessCloses() {
        var b = opened()
        #expect(b.admit(now: at(7), policy: policy) == .probe)
        #expect(b.state == .halfOpen)
        // Another request meanwhile is turned away: only one probe.
        #expect(b.admit(now: at(7.5), policy: policy) == .reject(until: at(17)))
        #expect(!b.isAvailable(now: at(7.5), policy: policy))
        b.record(.success, now: at(8), policy: policy)
        #expect(b == CircuitBreaker())
        #expect(b.admit(now: at(8), policy: policy) == .allow)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        var b = opened()
        _ = b.admit(now: at(7), policy: policy)
        b.record(.failure, now: at(7.5), policy: policy)
        #expect(b.state == .open)
        #expect(b.admit(now: at(12), policy: policy) == .reject(until: at(12.5)))
        #expect(b.admit(now: at(12.5), policy: policy) == .probe)
    }

    @Test func aLostProbeIsReplacedAfterTheProbeTimeout() {
        var b = opened()
        _ = b.admit(now: at(7), policy: policy)
        #expect(b.admit(now: at(16.9), policy: policy) != .probe)
        #expect(b.admit(now: at(17), policy: policy) == .probe)
        // A neutral outcome (the request was at fault) frees the probe slot at once.
        b.record(.neutral, now: at(18), policy: policy)
        #expect(b.admit(now: at(18), policy: policy) == .probe)
    }

    @Test func tripOpensAtOnce() {
        var b = CircuitBreaker()
        b.record(.trip, now: t0, policy: policy)
        #expect(b.state == .open)
        #expect(b.admit(now: at(1), policy: policy) == .reject(until: at(5)))
    }

    @Test func neutralOutcomesDoNotCount() {
        var b = CircuitBreaker()
        for _ in 0..<10 { b.record(.neutral, now: t0, policy: policy) }
        #expect(b == CircuitBreaker())
    }

    @Test func stateRoundTripsThroughJSON() throws {
        var b = opened()
        _ = b.admit(now: at(7), policy: policy)
        let json = try JSONEncoder().encode(b)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"state\":\"half_open\""))
        #expect(text.contains("\"opened_at\":1700000002"))
        let back = try JSONDecoder().decode(CircuitBreaker.self, from: json)
        #expect(back == b)
        #expect(try JSONDecoder().decode(CircuitBreaker.self, from: Data(#"{"state":"closed"}"#.utf8)) == CircuitBreaker())
    }

    @Test func effectsOfOutcomes() {
        #expect(AttemptOutcome.success.circuitEffect == .success)
        #expect(AttemptOutcome.circuitOpen.circuitEffect == .neutral)
        #expect(AttemptFailure.http(status: 503, message: "x").circuitEffect == .failure)
        #expect(AttemptFailure.http(status: 429, message: "x").circuitEffect == .failure)
        #expect(AttemptFailure.http(status: 400, message: "x").circuitEffect == .neutral)
        #expect(AttemptFailure(kind: .streamStalled, message: "x").circuitEffect == .failure)
        #expect(AttemptFailure(kind: .unsupported, message: "x").circuitEffect == .trip)
        #expect(AttemptFailure(kind: .cancelled, message: "x").circuitEffect == .neutral)
        #expect(CircuitBreaker.key(provider: "openai", model: "gpt-4o") == "openai/gpt-4o")
    }

    /// Opened at t0+2 by three failures.
    private func opened() -> CircuitBreaker {
        var b = CircuitBreaker()
        for i in 0..<3 { b.record(.failure, now: at(Double(i)), policy: policy) }
        return b
    }
}
