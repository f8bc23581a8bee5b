import Foundation
import Synchronization
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A worker killed mid-request: clients get an answer or a clean error, and the supervisor replaces it.
    @Suite struct WorkerCrashTests {
        struct Outcome: Sendable {
            var status: Int
            var code: String?
            var seconds: Double
            var error: String?
        }

        final class LoadState: Sendable {
            let running = Atomic<Bool>(true)
            let outcomes = Mutex<[Outcome]>([])
        }

        @Test func sigkillUnderLoadEndsEveryRequestAndWorkerIsReplaced() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, ttftMs: 150))
            let victim = try #require(try cluster.workers().first { $0.id == "w1" })
            #expect(ProcessTable.isAlive(victim.pid))

            let state = LoadState()
            // Four clients, each sending requests back to back until told to stop.
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<4 {
                        group.addTask {
                            var n = 0
                            while state.running.load(ordering: .relaxed) {
                                n += 1
                                let start = ContinuousClock.now
                                var o = Outcome(status: 0, code: nil, seconds: 0)
                                do {
                                    let r = try await cluster.chat("What is the capital of France? \(client)-\(n)", timeout: .seconds(15))
                                    o.status = r.status
                                    o.code = r.errorCode
                                    if r.status != 200 { o.error = r.text }
                                } catch {
                                    o.error = "\(error)"
                                }
                                let d = start.duration(to: .now).components
                                o.seconds = Double(d.seconds) + Double(d.attoseconds) / 1e18
                                state.outcomes.withLock { $0.append(o) }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            kill(victim.pid, SIGKILL)
            try await Task.sleep(for: .milliseconds(1500))
            state.running.store(false, ordering: .relaxed)
            // Every client request must end: in-flight ones have 15 s of curl timeout, far over this bound.
            _ = try await withDeadline(.seconds(8), "the client requests after the worker was killed") { await load.value }

            let all = state.outcomes.withLock { $0 }
            #expect(all.count >= 8, "too few requests ran: \(all.count)")
            for o in all {
                let clean = o.status == 200 || (o.status == 502 && o.code == "worker_lost")
                #expect(clean, "unexpected outcome: \(o)")
                #expect(o.seconds < 5, "a request took \(o.seconds) s: \(o)")
            }
            #expect(all.contains { $0.status == 200 })

            // The supervisor restarts w1 (after 1 s); the new process registers under the same id.
            let replacement = await poll(timeout: .seconds(8), interval: .milliseconds(100)) { () -> pid_t? in
                guard let w = (try? cluster.workers())?.first(where: { $0.id == "w1" }),
                      w.pid != victim.pid, ProcessTable.isAlive(w.pid) else { return nil }
                return w.pid
            }
            #expect(replacement != nil, "w1 was not replaced\n\(cluster.up.logTail())")
            try await cluster.waitReady(workers: 2, timeout: .seconds(8))

            // The cluster serves normally again.
            let after = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<6 { group.addTask { try await cluster.chat("What is the capital of France? after \(i)").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(after.allSatisfy { $0 == 200 }, "statuses after recovery: \(after)")
        }
    }
}
