import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A client that goes away cancels its request all the way to the upstream call.
    @Suite struct CancellationTests {
        @Test func clientDisconnectMidStreamLogs499() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1))
            let simBase = try #require(cluster.simBase)
            // About 100 words at 200 ms a token: the whole answer would take far longer than this test.
            let answer = (1...100).map { "word\($0)" }.joined(separator: " ")
            let r = try await cluster.http.post(simBase + "/sim/behaviours",
                                                json: .object(["gpt-4o-mini": .object(["tpot_ms": .int(200), "answer": .string(answer)])]))
            #expect((200..<300).contains(r.status), "\(r.text)")

            let started = ContinuousClock.now
            let s = try await cluster.http.stream(cluster.chatURL, json: chatBody("What is the capital of France?", stream: true)) {
                !$0.content.isEmpty
            }
            #expect(s.status == 200, "\(s.raw)")
            #expect(!s.content.isEmpty)
            #expect(!s.data.contains("[DONE]"))
            let id = try #require(s.headers["x-triage-request-id"])

            let store = try cluster.store()
            let row = await poll(timeout: .seconds(3)) { try? store.request(id: id) }
            #expect(row?.status == 499, "request log row: \(String(describing: row))\n\(cluster.up.logTail())")
            #expect(row?.stream == true)
            #expect(started.duration(to: .now) < .seconds(8), "the upstream call ran on after the client left")
            // The worker is free again and serves.
            #expect(try await cluster.chat("What is the capital of France?", model: "medium").status == 200)

            // Nothing of the cancelled request is left over: the coordinator no longer counts it
            // in flight, and a graceful stop does not wait for it.
            let drained = await eventually(timeout: .seconds(3), interval: .milliseconds(100)) { () -> Bool in
                guard let r = try? await cluster.http.get(cluster.base + "/readyz") else { return false }
                let links = (try? r.json())?["workers"]?.arrayValue ?? []
                return !links.isEmpty && links.allSatisfy { $0["in_flight"]?.intValue == 0 }
            }
            #expect(drained, "the cancelled request is still in flight in the coordinator")
            cluster.up.signal(SIGTERM)
            let stopped = await eventually(timeout: .seconds(7), interval: .milliseconds(50)) { !cluster.up.isRunning }
            #expect(stopped, "triage up did not stop within shutdown_grace_s after SIGTERM\n\(cluster.up.logTail(15))")
        }
    }
}
