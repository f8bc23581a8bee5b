import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// SIGTERM lets in-flight requests finish, then everything exits.
    @Suite struct ShutdownTests {
        @Test func sigtermFinishesInFlightRequestsAndStopsChildren() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, ttftMs: 500, graceSeconds: 5))
            let children = ProcessTable.descendants(of: cluster.up.pid)
            let workerPIDs = try cluster.workers().map(\.pid)
            #expect(children.count >= 3, "two workers and the sim: \(children.map(ProcessTable.commandLine))")
            #expect(Set(workerPIDs).isSubset(of: children))

            let plain = Task { try await cluster.chat("What is the capital of France?") }
            let streamed = Task {
                try await cluster.http.stream(cluster.chatURL, json: chatBody("What is the capital of France?", stream: true))
            }
            // Wait until both are with a worker (the sim holds them for 500 ms).
            let inFlight = await eventually(timeout: .seconds(3), interval: .milliseconds(20)) { () -> Bool in
                guard let r = try? await cluster.http.get(cluster.base + "/readyz") else { return false }
                let links = (try? r.json())?["workers"]?.arrayValue ?? []
                return links.compactMap { $0["in_flight"]?.intValue }.reduce(0, +) >= 2
            }
            #expect(inFlight, "the requests never reached a worker")

            let stopAt = ContinuousClock.now
            cluster.up.signal(SIGTERM)
            let r = try await plain.value
            #expect(r.status == 200, "\(r.text)")
            #expect(try r.json()["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.isEmpty == false)
            let s = try await streamed.value
            #expect(s.status == 200)
            #expect(s.data.last == "[DONE]", "\(s.raw)")

            // grace 5 s (+ the supervisor's 2 s) bounds the whole shutdown.
            let exited = await eventually(timeout: .seconds(7), interval: .milliseconds(50)) { !cluster.up.isRunning }
            #expect(exited, "triage up still runs \(stopAt.duration(to: .now)) after SIGTERM\n\(cluster.up.logTail())")
            #expect(cluster.up.exitCode == 0, "exit code \(String(describing: cluster.up.exitCode))\n\(cluster.up.logTail())")
            let childrenGone = await eventually(timeout: .seconds(2)) { !children.contains(where: ProcessTable.isAlive) }
            #expect(childrenGone, "children still alive: \(children.filter(ProcessTable.isAlive).map(ProcessTable.commandLine))")
            #expect(stopAt.duration(to: .now) < .seconds(7))
        }
    }
}
