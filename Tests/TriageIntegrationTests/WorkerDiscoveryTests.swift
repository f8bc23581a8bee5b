import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Workers started by hand join a running cluster through the store.
    @Suite struct WorkerDiscoveryTests {
        @Test func lateWorkerGetsRequestsWithoutRestart() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, ttftMs: 100))
            let upPID = cluster.up.pid

            let late = try env.spawn("worker-late", ["worker", "--id", "late", "--config", cluster.configPath,
                                                     "--data-dir", cluster.dataDir])
            let registered = await eventually(timeout: .seconds(10)) {
                (try? cluster.workers())?.contains { $0.id == "late" && $0.pid == late.pid } ?? false
            }
            #expect(registered, "worker 'late' did not register\n\(late.logTail())")
            try await cluster.waitReady(workers: 2, timeout: .seconds(10))

            // Fewest-in-flight balancing: a parallel batch of slow requests spreads over both workers.
            var seen: [String: Int] = [:]
            for _ in 0..<5 where seen["late"] == nil {
                let workers = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                    for i in 0..<6 {
                        group.addTask { try await cluster.chat("What is the capital of France? (\(i))") }
                    }
                    var out: [String] = []
                    for try await r in group {
                        #expect(r.status == 200, "\(r.text)")
                        out.append(r.headers["x-triage-worker"] ?? "?")
                    }
                    return out
                }
                for w in workers { seen[w, default: 0] += 1 }
            }
            #expect(seen["late"] != nil, "served by: \(seen)")
            #expect(seen["w1"] != nil, "served by: \(seen)")
            #expect(cluster.up.isRunning && cluster.up.pid == upPID, "nothing was restarted")
        }
    }
}
