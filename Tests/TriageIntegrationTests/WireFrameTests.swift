import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// A worker's socket refuses bad frames and closes only that connection.
    @Suite struct WireFrameTests {
        /// Connects to the worker and reads its hello.
        static func connect(_ path: String) throws -> UnixFrameSocket {
            let socket = try UnixFrameSocket(path: path)
            guard case .frame(let hello) = socket.readFrame() else { throw HarnessError("no hello frame from \(path)") }
            let json = try JSONValue.parse(hello)
            #expect(json["type"]?.stringValue == "hello", "\(String(decoding: hello, as: UTF8.self))")
            #expect(json["worker_id"]?.stringValue == "w1")
            return socket
        }

        /// Reads the error frame the worker sends before closing, and checks the close.
        static func expectBadFrameAndClose(_ socket: UnixFrameSocket, _ what: String) throws {
            guard case .frame(let payload) = socket.readFrame() else {
                Issue.record("\(what): no error frame before the close")
                return
            }
            let json = try JSONValue.parse(payload)
            #expect(json["type"]?.stringValue == "error", "\(what): \(String(decoding: payload, as: UTF8.self))")
            #expect(json["status"]?.intValue == 400)
            #expect(json["error"]?["code"]?.stringValue == "bad_frame", "\(what): \(String(decoding: payload, as: UTF8.self))")
            #expect(socket.readUntilClosed() == .closed, "\(what): the connection stays open")
        }

        @Test func oversizeAndMalformedFramesAreRefused() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, maxBodyBytes: 16384, maxFrameBytes: 81920))
            let worker = try #require(try cluster.workers().first { $0.id == "w1" })

            // A length field of 1 MiB, over max_frame_bytes: refused before the payload is read.
            let big = try Self.connect(worker.socketPath)
            #expect(big.write(UnixFrameSocket.lengthField(1 << 20) + Array(repeating: UInt8(ascii: "x"), count: 1024)))
            try Self.expectBadFrameAndClose(big, "oversize frame")
            big.disconnect()

            // A small frame that is not JSON.
            let bad = try Self.connect(worker.socketPath)
            #expect(bad.writeFrame(Array("{this is not json".utf8)))
            try Self.expectBadFrameAndClose(bad, "malformed frame")
            bad.disconnect()

            // The coordinator's own connection was not affected.
            let r = try await cluster.chat("What is the capital of France?")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-worker"] == "w1")
            #expect(try cluster.workers().first { $0.id == "w1" }?.pid == worker.pid, "the worker did not restart")
        }
    }
}
