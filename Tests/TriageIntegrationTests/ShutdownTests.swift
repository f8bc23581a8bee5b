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

        @Test func aStreamCutAtTheGracesEndIsChargedForWhatItGenerated() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, graceSeconds: 1))
            // About 100 words at 200 ms a token: the answer outlasts the 1 s grace by far.
            let answer = (1...100).map { "word\($0)" }.joined(separator: " ")
            let b = try await cluster.http.post(try #require(cluster.simBase) + "/sim/behaviours",
                                                json: .object(["gpt-4o-mini": .object(["tpot_ms": .int(200), "answer": .string(answer)])]))
            #expect((200..<300).contains(b.status), "\(b.text)")
            let streamed = Task { try? await cluster.http.stream(cluster.chatURL, json: chatBody("What is the capital of France?", stream: true)) }
            defer { streamed.cancel() }
            let inFlight = await eventually(timeout: .seconds(3), interval: .milliseconds(20)) { () -> Bool in
                guard let r = try? await cluster.http.get(cluster.base + "/readyz") else { return false }
                let links = (try? r.json())?["workers"]?.arrayValue ?? []
                return links.compactMap { $0["in_flight"]?.intValue }.reduce(0, +) >= 1
            }
            #expect(inFlight, "the request never reached a worker")
            try await Task.sleep(for: .milliseconds(500))  // some tokens out, so the cut attempt is billed

            // The worker itself is stopped: its grace runs out with the stream still going.
            let worker = try #require(try cluster.workers().first?.pid)
            kill(worker, SIGTERM)
            let exited = await eventually(timeout: .seconds(6), interval: .milliseconds(50)) { !ProcessTable.isAlive(worker) }
            #expect(exited, "the worker still runs after SIGTERM\n\(cluster.up.logTail())")
            // The attempt cancelled at the grace's end is settled, charged for what it generated
            // (OpenAI-style streams report usage only at their end, so it is estimated).
            let rows = try cluster.store().read { db in
                try db.query("SELECT outcome, cost_nano FROM ledger", []) { ($0.text(0), $0.int64(1)) }
            }
            #expect(rows.count == 1, "ledger: \(rows)\n\(cluster.up.logTail(30))")
            #expect(rows.first.map { $0.0 == "cancelled" && $0.1 > 0 } == true, "ledger: \(rows)")
        }
    }
}
