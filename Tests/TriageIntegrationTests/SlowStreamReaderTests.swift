import Foundation
import Testing
import TriageStore

extension Integration {
    /// A client that stops reading its stream: the coordinator holds at most
    /// `limits.max_stream_buffer_kb` of it for that client, then has the worker stop the answer
    /// upstream (charged for what was generated, ledger `cancelled`) instead of holding all of it,
    /// and closes the connection of a client that has not read on within `limits.slow_reader_grace_s`.
    @Suite struct SlowStreamReaderTests {
        @Test func aStreamItsClientDoesNotReadIsStoppedUpstream() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // 10,000 words of 1 KB (about 11 MB of events), one a millisecond: at least 10 s to generate.
            // The kernel's socket buffers take up to about 4 MB of a stream nobody reads before the
            // coordinator's writes wait.
            let word = String(repeating: "x", count: 1023) + " "
            let sim = try await env.startSim(behaviours: #"{"gpt-4o-mini": {"answer": "\#(word)", "answer_repeat": 10000, "tpot_ms": 1}}"#)
            var spec = ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase))
            spec.maxStreamBufferKB = 64
            spec.slowReaderGraceSeconds = 3
            let cluster = try await env.startCluster(spec)
            let store = try cluster.store()

            let body = #"{"model":"auto","stream":true,"max_tokens":50000,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#
            let reader = try RawHTTP.StalledReader(port: cluster.port, RawHTTP.post("/v1/chat/completions", body: body))
            #expect(reader.start.hasPrefix("HTTP/1.1 200"), "\(reader.start)")
            // While the client still holds its connection without reading, the answer is stopped before
            // its end, and what was generated is charged.
            let row = await poll(timeout: .seconds(30), interval: .milliseconds(100)) { () -> (String, Int64)? in
                try? store.read { db in try db.queryFirst("SELECT outcome, completion_tokens FROM ledger", []) { ($0.text(0), $0.int64(1)) } }
            }
            #expect(row?.0 == "cancelled", "\(String(describing: row))\n\(cluster.up.logTail(20))")
            // The whole answer is 10,000 words of 1,024 bytes: about 2.56 million tokens at 4 bytes a token.
            #expect((row?.1 ?? 0) > 0 && (row?.1 ?? .max) < 2_000_000, "charged for the part generated: \(String(describing: row))")
            // Reading again, the client gets what was held and then the reason, never a [DONE].
            let rest = reader.drain()
            #expect(rest.closed)
            #expect(rest.text.contains("stream_buffer_exceeded"), "\(rest.text.suffix(400))")
            #expect(!rest.text.contains("[DONE]"))
            #expect(rest.text.utf8.count < 9_000_000, "not the whole answer: \(rest.text.utf8.count) bytes")

            // A client that never reads on: after the grace period its connection is closed, which ends
            // the request in the coordinator (its log line) instead of holding it open for good.
            let stuck = try RawHTTP.StalledReader(port: cluster.port, RawHTTP.post("/v1/chat/completions", body: body))
            let id = try #require(stuck.start.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-triage-request-id:") }?
                .split(separator: ":").last?.trimmingCharacters(in: .whitespaces))
            let cut = await poll(timeout: .seconds(30), interval: .milliseconds(100)) { () -> Bool? in
                let rows = try? store.read { db in try db.query("SELECT outcome FROM ledger WHERE request_id = ?", [.text(id)]) { $0.text(0) } }
                return rows == ["cancelled"] ? true : nil
            }
            #expect(cut == true)
            // The operator hears of it when it happens, not when (or if) the client reads on.
            let warned = await poll(timeout: .seconds(2), interval: .milliseconds(100)) { () -> Bool? in
                cluster.up.logTail(400).split(separator: "\n").contains { $0.contains("stream stopped") && $0.contains("triage.request=\(id)") } ? true : nil
            }
            #expect(warned == true, "\(cluster.up.logTail(20))")
            let ended = await poll(timeout: .seconds(15), interval: .milliseconds(200)) { () -> Bool? in
                cluster.up.logTail(400).split(separator: "\n").contains { $0.contains("triage.request=\(id)") && $0.contains("triage.status=499") } ? true : nil
            }
            #expect(ended == true, "\(cluster.up.logTail(20))")

            // Other clients are served as before.
            try await sim.setBehaviours("{}")
            #expect(try await cluster.chat("What is 2 + 2?").status == 200)
        }
    }
}
