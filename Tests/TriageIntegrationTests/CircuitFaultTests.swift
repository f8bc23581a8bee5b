import Foundation
import Testing
import TriageCore

extension Integration {
    /// The circuit breaker shared by the workers of a host, across a model's outage.
    @Suite struct CircuitFaultTests {
        typealias W = FaultWorld

        struct Served: Sendable {
            var start: Double
            var end: Double
            var status: Int
            var model: String?
            var content: String?
        }

        @Test func flappingModelIsServedFromTheNextTierThenTrafficReturnsWithinSeconds() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let outage = 3.0
            // No retry on the same model, so every request shows the circuit's effect; two workers share it.
            let w = try await W.start(env, failover: "{server_error_retries: 0, circuit: {failure_threshold: 2, cool_down_s: 1}}",
                                      workers: 2)

            // The outage window starts when the behaviours are set.
            try await w.setFaults([W.simple: #""down_for_seconds": \#(outage)"#])
            let t0 = ContinuousClock.now
            func since() -> Double {
                let d = t0.duration(to: .now).components
                return Double(d.seconds) + Double(d.attoseconds) / 1e18
            }
            var served: [Served] = []
            while since() < outage + 3.0 {
                let start = since()
                let r = try await w.cluster.chat(FaultWorld.question)
                served.append(Served(start: start, end: since(), status: r.status, model: r.headers["x-triage-model"], content: r.content))
                try await Task.sleep(for: .milliseconds(100))
            }
            let log = served.map { String(format: "%.2f-%.2f %d %@", $0.start, $0.end, $0.status, $0.model ?? "-") }.joined(separator: "\n")

            #expect(served.allSatisfy { $0.status == 200 }, "every request across the outage was served:\n\(log)")
            #expect(served.allSatisfy { $0.content == $0.model.map(W.answer) }, "each completely, by the model named in x-triage-model")
            let during = served.filter { $0.end < outage - 0.05 }
            #expect(during.count >= 8, "\(log)")
            #expect(during.allSatisfy { $0.model == W.medium }, "the next tier serves during the outage:\n\(log)")
            // Back within a few seconds of recovery, and staying back.
            let firstBack = try #require(served.firstIndex { $0.start >= outage - 0.5 && $0.model == W.simple }, "traffic never returned:\n\(log)")
            #expect(served[firstBack].start < outage + 1.6, "returned \(served[firstBack].start - outage) s after recovery:\n\(log)")
            #expect(served[firstBack...].allSatisfy { $0.model == W.simple }, "and stays:\n\(log)")

            // The open circuit spared the failing model: a few probes, not one call per request.
            let a = try await w.attempts()
            let failedOnSimple = (a[W.simple] ?? 0) - served.filter { $0.model == W.simple }.count
            #expect(failedOnSimple >= 2 && failedOnSimple <= 6, "\(failedOnSimple) failed attempts on \(W.simple) for \(during.count) requests during the outage")
            #expect(a[W.medium] == served.filter { $0.model == W.medium }.count, "\(a)")
            #expect(a[W.complex] == 0)
            try await w.expectHealthy()
        }
    }
}
