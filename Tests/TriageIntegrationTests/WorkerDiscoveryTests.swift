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

        /// A live registry row whose socket refuses connections (a worker SIGKILLed and restarting, seen by
        /// chaos runs): the coordinator retries it and keeps serving. Failed connects used to leak the
        /// greeting promise, which a debug build traps on ("leaking promise"), taking the coordinator down.
        @Test func unreachableWorkerRowDoesNotUpsetTheCoordinator() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1))
            let path = env.dir.file("ghost.sock")
            try Self.bindWithoutListening(path)
            let store = try cluster.store()
            let end = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < end {  // a fresh heartbeat: the coordinator tries it about once a second
                try store.registerWorker(WorkerRecord(id: "ghost", pid: getpid(), host: ProcessInfo.processInfo.hostName, socketPath: path,
                                                      capacity: 4, startedAt: Date(), heartbeatAt: Date()))
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(cluster.up.isRunning, "the coordinator died\n\(cluster.up.logTail())")
            let r = try await cluster.chat("What is the capital of France?")
            #expect(r.status == 200, "\(r.text)")
            let ready = try await cluster.http.get(cluster.base + "/readyz")
            #expect((try ready.json())["workers_ready"]?.intValue == 1, "\(ready.text)")
            #expect(!((try? String(contentsOfFile: cluster.up.logPath, encoding: .utf8)) ?? "").contains("leaking promise"))
        }

        /// Leaves a Unix socket file that nothing listens on: connecting to it is refused.
        private static func bindWithoutListening(_ path: String) throws {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(fd) }
            var addr = try UnixFrameSocket.address(path)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw HarnessError("bind \(path): \(String(cString: strerror(errno)))") }
        }
    }
}
