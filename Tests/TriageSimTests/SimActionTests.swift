import Testing
import Foundation
@testable import TriageSim

@Suite struct SimActionTests {
    @Test func defaultAnswers() {
        #expect(SimAction.decide(behaviour: SimBehaviour(), attempt: 1, elapsed: .zero) == .answer)
    }

    @Test func failFirstWindow() {
        let behaviour = SimBehaviour(failStatus: 500, failFirst: 2, retryAfter: 1)
        let actions = (1...4).map { SimAction.decide(behaviour: behaviour, attempt: $0, elapsed: .zero) }
        #expect(actions == [.fail(status: 500, retryAfter: 1), .fail(status: 500, retryAfter: 1), .answer, .answer])
    }

    @Test func hangWins() {
        #expect(SimAction.decide(behaviour: SimBehaviour(failStatus: 500, hang: true), attempt: 1, elapsed: .zero) == .hang)
    }

    @Test func flapping() {
        let behaviour = SimBehaviour(downForSeconds: 2, upForSeconds: 3)
        func at(_ seconds: Double) -> SimAction {
            SimAction.decide(behaviour: behaviour, attempt: 1, elapsed: .milliseconds(Int(seconds * 1000)))
        }
        #expect(at(0) == .fail(status: 503, retryAfter: nil))
        #expect(at(1.9) == .fail(status: 503, retryAfter: nil))
        #expect(at(2.1) == .answer)
        #expect(at(4.9) == .answer)
        #expect(at(5.5) == .fail(status: 503, retryAfter: nil))
        let once = SimBehaviour(failStatus: 502, failFirst: 0, downForSeconds: 1)
        #expect(SimAction.decide(behaviour: once, attempt: 1, elapsed: .milliseconds(500)) == .fail(status: 502, retryAfter: nil))
        #expect(SimAction.decide(behaviour: once, attempt: 1, elapsed: .seconds(100)) == .answer)
    }

    @Test func stateCountsAndResets() async {
        let start = ContinuousClock.now
        let state = SimState(behaviours: ["a": SimBehaviour(failStatus: 429, failFirst: 1)], now: start)
        #expect(await state.admit(model: "a", now: start).1 == .fail(status: 429, retryAfter: nil))
        #expect(await state.admit(model: "a", now: start).1 == .answer)
        #expect(await state.attempts == ["a": 2])
        await state.replaceBehaviours(["a": SimBehaviour(failStatus: 429, failFirst: 1)], now: start)
        #expect(await state.attempts == ["a": 2])
        #expect(await state.admit(model: "a", now: start).1 == .fail(status: 429, retryAfter: nil))
        await state.reset(now: start)
        #expect(await state.attempts == [:])
    }

    @Test func ttftCycleGivesSuccessiveRequestsTheirTurn() async throws {
        let start = ContinuousClock.now
        let cycle = try JSONDecoder().decode(SimBehaviour.self, from: Data(#"{"ttft_cycle_ms": [0, 1500], "tpot_ms": 5}"#.utf8))
        #expect(cycle.ttftCycleMs == [0, 1500])
        let state = SimState(behaviours: ["a": cycle], now: start)
        var delays: [Int?] = []
        for _ in 0..<3 { delays.append(await state.admit(model: "a", now: start).0.ttftMs) }
        #expect(delays == [0, 1500, 0])
        #expect(await state.admit(model: "b", now: start).0.ttftMs == nil, "other models keep their own behaviour")
        await state.replaceBehaviours(["a": cycle], now: start)
        #expect(await state.admit(model: "a", now: start).0.ttftMs == 0, "setting behaviours restarts the cycle")
        #expect(await state.admit(model: "a", now: start).0.tpotMs == 5)
    }
}
