import Foundation
import Logging
import Synchronization
import Testing
@testable import TriageUpstream

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Integration tests of ``CurlHTTPClient`` against real sockets on 127.0.0.1. Serialized:
/// they count threads and connections.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct CurlHTTPClientTests {
    private static let logger = Logger(label: "test.curl")

    /// Runs `operation`, expecting it to fail.
    private func failure(_ operation: () async throws -> UpstreamHTTPResponse) async -> UpstreamHTTPError? {
        do {
            _ = try await operation()
            Issue.record("expected an error")
            return nil
        } catch {
            #expect(error is UpstreamHTTPError)
            return error as? UpstreamHTTPError
        }
    }

    /// Runs `body` with a client and a server, always cleaning both up.
    private func withServer(
        _ handler: @escaping @Sendable (TestConnection) -> Void,
        _ body: (CurlHTTPClient, TestHTTPServer) async throws -> Void
    ) async throws {
        let server = TestHTTPServer(handler: handler)
        let client = CurlHTTPClient(logger: Self.logger)
        defer {
            client.shutdown()
            server.stop()
        }
        try await body(client, server)
        client.shutdown()
        // Every Unmanaged retain released. The counter is process-wide and other suites (the
        // Anthropic end-to-end tests) may have transfers of their own in flight, so allow them to end.
        #expect(await Self.transfersDrain(), "CurlTransfer objects still alive")
    }

    /// Whether the process-wide count of live transfers reaches 0 within a few seconds.
    static func transfersDrain() async -> Bool {
        for _ in 0..<100 {
            if CurlTransfer.liveCount.load(ordering: .relaxed) == 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func postEchoesBodyStatusAndHeaders() async throws {
        try await withServer({ connection in
            guard let request = connection.readRequest() else { return }
            connection.respond(status: 201, headers: [
                ("X-Method", request.method),
                ("X-Path", request.path),
                ("X-Got-Token", request.headers["authorization"] ?? "-"),
                ("X-Got-Empty", request.headers["x-empty"] ?? "missing"),
                ("X-Expect", request.headers["expect"] ?? "none"),
                ("Content-Type", request.headers["content-type"] ?? "-"),
                ("X-Multi", "a"), ("X-Multi", "b"),
            ], body: request.body)
        }) { client, server in
            let body = Array("{\"model\":\"m\",\"messages\":[]}".utf8) + [0, 255, 10]
            let response = try await client.execute(UpstreamHTTPRequest(
                url: server.url + "/v1/chat/completions",
                headers: [.init(name: "Authorization", value: "Bearer k"),
                          .init(name: "Content-Type", value: "application/json"),
                          .init(name: "X-Empty", value: "")],
                body: body))
            #expect(response.status == 201)
            #expect(response.body == body)
            #expect(response.headers["x-method"] == "POST")
            #expect(response.headers["x-path"] == "/v1/chat/completions")
            #expect(response.headers["x-got-token"] == "Bearer k")
            #expect(response.headers["x-got-empty"] == "")
            #expect(response.headers["x-expect"] == "none")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.headers["x-multi"] == "a, b")
            #expect(response.headers["content-length"] == "\(body.count)")

            let get = try await client.execute(UpstreamHTTPRequest(url: server.url + "/health", method: "GET"))
            #expect(get.status == 201)
            #expect(get.headers["x-method"] == "GET")
            #expect(get.body.isEmpty)
        }
    }

    @Test func invalidHeaderFailsWithoutSending() async throws {
        try await withServer({ _ in }) { client, server in
            await #expect(throws: UpstreamHTTPError.self) {
                try await client.execute(UpstreamHTTPRequest(
                    url: server.url, headers: [.init(name: "X-Bad", value: "a\r\nInjected: 1")]))
            }
            #expect(server.acceptedCount == 0)
        }
    }

    @Test func informationalResponseIsSkipped() async throws {
        try await withServer({ connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n")
            connection.respond(status: 200, headers: [("X-Final", "1")], body: Array("done".utf8))
        }) { client, server in
            var parts: [UpstreamHTTPPart] = []
            for try await part in client.stream(UpstreamHTTPRequest(url: server.url, body: Array("x".utf8))) {
                parts.append(part)
            }
            guard case .head(let status, let headers) = parts.first else {
                Issue.record("no head first")
                return
            }
            #expect(status == 200)
            #expect(headers["x-final"] == "1")
            #expect(headers["x-interim"] == nil)
            #expect(parts.count == 2)
        }
    }

    @Test func chunkedResponseStreamsPartsAsTheyArrive() async throws {
        try await withServer({ connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            for index in 0..<4 {
                connection.writeChunk("data: {\"n\":\(index)}\n\n")
                usleep(150_000)
            }
            connection.write("0\r\n\r\n")
        }) { client, server in
            let clock = ContinuousClock()
            let start = clock.now
            var headAt: Duration?
            var bodyTimes: [Duration] = []
            var parser = SSEParser()
            var events: [SSEEvent] = []
            for try await part in client.stream(UpstreamHTTPRequest(url: server.url, body: Array("{}".utf8))) {
                switch part {
                case .head(let status, let headers):
                    #expect(status == 200)
                    #expect(headers["content-type"] == "text/event-stream")
                    #expect(bodyTimes.isEmpty)
                    headAt = start.duration(to: clock.now)
                case .body(let bytes):
                    bodyTimes.append(start.duration(to: clock.now))
                    events += parser.feed(bytes)
                }
            }
            events += parser.finish()
            #expect(!parser.hasPendingData)
            #expect(events.map(\.data) == (0..<4).map { "{\"n\":\($0)}" })
            #expect(bodyTimes.count >= 3)
            // The first chunk arrived long before the last one was sent.
            #expect(bodyTimes.last! - bodyTimes.first! >= .milliseconds(300))
            #expect(headAt! < .milliseconds(300))
        }
    }

    @Test func connectionRefusedFailsQuicklyWithConnect() async throws {
        let (fd, port) = bindLoopbackSocket()  // bound, not listening: connections are refused
        defer { close(fd) }
        let client = CurlHTTPClient(logger: Self.logger)
        defer { client.shutdown() }
        let start = ContinuousClock.now
        do {
            _ = try await client.execute(UpstreamHTTPRequest(url: "http://127.0.0.1:\(port)/"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .connect)
            #expect(!error.receivedBytes)
            #expect(error.curlCode == 7)
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func connectTimeoutIsAConnectError() async throws {
        // A listener that never accepts, with its backlog filled: further SYNs are dropped.
        let (fd, port) = bindLoopbackSocket()
        defer { close(fd) }
        #expect(listen(fd, 0) == 0)
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let (filler, _) = bindLoopbackSocket()
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(filler)
        }
        let client = CurlHTTPClient(logger: Self.logger)
        defer { client.shutdown() }
        let start = ContinuousClock.now
        do {
            _ = try await client.execute(UpstreamHTTPRequest(
                url: "http://127.0.0.1:\(port)/", connectTimeout: .milliseconds(300), totalTimeout: .seconds(5)))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .connect, "\(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func silentServerHitsTotalTimeout() async throws {
        try await withServer({ connection in
            _ = connection.readRequest()
            _ = connection.waitForPeerClose(timeout: .seconds(5))
        }) { client, server in
            let start = ContinuousClock.now
            let error = try #require(await failure {
                try await client.execute(UpstreamHTTPRequest(url: server.url, totalTimeout: .milliseconds(300)))
            })
            #expect(error.kind == .timeout, "\(error)")
            #expect(!error.receivedBytes)
            #expect(error.curlCode == 28)
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
        }
    }

    @Test func connectionClosedMidBodyIsReset() async throws {
        try await withServer({ connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            usleep(50_000)
        }) { client, server in
            var parts: [UpstreamHTTPPart] = []
            do {
                for try await part in client.stream(UpstreamHTTPRequest(url: server.url)) { parts.append(part) }
                Issue.record("expected an error")
            } catch let error as UpstreamHTTPError {
                #expect(error.kind == .reset, "\(error)")
                #expect(error.receivedBytes)
            }
            guard case .head(200, _) = parts.first else {
                Issue.record("no head")
                return
            }
            let body = parts.dropFirst().flatMap { part -> [UInt8] in
                if case .body(let bytes) = part { return bytes }
                return []
            }
            #expect(body == Array("0123456789".utf8))

            await #expect(throws: UpstreamHTTPError.self) {
                try await client.execute(UpstreamHTTPRequest(url: server.url))
            }
        }
    }

    @Test func closedWithoutResponseIsResetWithoutBytes() async throws {
        try await withServer({ connection in
            _ = connection.readRequest()
        }) { client, server in
            let error = try #require(await failure { try await client.execute(UpstreamHTTPRequest(url: server.url)) })
            #expect(error.kind == .reset, "\(error)")
            #expect(!error.receivedBytes)
        }
    }

    /// When the server saw the client close its socket.
    private final class CloseRecorder: Sendable {
        private let instant = Mutex<ContinuousClock.Instant?>(nil)
        var closedAt: ContinuousClock.Instant? { instant.withLock { $0 } }
        func record() { instant.withLock { $0 = .now } }
    }

    /// A server that streams one chunk and then reports when the client closes the socket.
    private static func closeWatchingServer(_ recorder: CloseRecorder) -> TestHTTPServer {
        TestHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            connection.writeChunk("data: first\n\n")
            if connection.waitForPeerClose(timeout: .seconds(5)) { recorder.record() }
        }
    }

    private static func waitUntil(_ deadline: Duration, _ condition: () -> Bool) async {
        let end = ContinuousClock.now + deadline
        while !condition(), ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func cancellingTheConsumingTaskAbortsTheTransfer() async throws {
        let closedAt = CloseRecorder()
        let server = Self.closeWatchingServer(closedAt)
        let client = CurlHTTPClient(logger: Self.logger)
        defer {
            client.shutdown()
            server.stop()
        }
        let (gotBody, gotBodyContinuation) = AsyncStream<Void>.makeStream()
        let stream = client.stream(UpstreamHTTPRequest(url: server.url))
        let consumer = Task {
            var parts = 0
            for try await part in stream {
                parts += 1
                if case .body = part { gotBodyContinuation.yield() }
            }
            return parts
        }
        var waiter = gotBody.makeAsyncIterator()
        _ = await waiter.next()
        let cancelledAt = ContinuousClock.now
        consumer.cancel()
        _ = try? await consumer.value
        await Self.waitUntil(.seconds(3)) { closedAt.closedAt != nil }
        let closed = try #require(closedAt.closedAt)
        #expect(closed - cancelledAt < .milliseconds(500))
    }

    @Test func breakingOutOfTheLoopAbortsTheTransfer() async throws {
        let closedAt = CloseRecorder()
        let server = Self.closeWatchingServer(closedAt)
        let client = CurlHTTPClient(logger: Self.logger)
        defer {
            client.shutdown()
            server.stop()
        }
        var stoppedAt = ContinuousClock.now
        for try await part in client.stream(UpstreamHTTPRequest(url: server.url)) {
            if case .body = part {
                stoppedAt = .now
                break
            }
        }
        await Self.waitUntil(.seconds(3)) { closedAt.closedAt != nil }
        let closed = try #require(closedAt.closedAt)
        #expect(closed - stoppedAt < .milliseconds(500))
    }

    @Test func cancellingExecuteThrowsCancelled() async throws {
        let closedAt = CloseRecorder()
        let server = Self.closeWatchingServer(closedAt)
        let client = CurlHTTPClient(logger: Self.logger)
        defer {
            client.shutdown()
            server.stop()
        }
        let task = Task { try await client.execute(UpstreamHTTPRequest(url: server.url)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        guard case .failure(let failure) = result, let error = failure as? UpstreamHTTPError else {
            Issue.record("expected an UpstreamHTTPError")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(error.receivedBytes)
        // The server sees the connection closed: promptly here, but the bound is wide because the
        // test process runs integration tests beside this one, whose synchronous waits can hold the
        // cooperative pool's threads for seconds (a 3 s bound failed so once).
        await Self.waitUntil(.seconds(15)) { closedAt.closedAt != nil }
        #expect(closedAt.closedAt != nil)
    }

    @Test func fiftyConcurrentRequestsShareOneThread() async throws {
        let client = CurlHTTPClient(logger: Self.logger)
        defer { client.shutdown() }
        let warmUp = TestHTTPServer { connection in
            if connection.readRequest() != nil { connection.respond(body: Array("ok".utf8)) }
        }
        _ = try await client.execute(UpstreamHTTPRequest(url: warmUp.url, method: "GET"))
        warmUp.stop()
        #expect(client.threadCount == 1)

        let server = BarrierHTTPServer(expected: 50, timeout: .seconds(8))
        let baseline = processThreadCount()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask {
                    try await client.execute(UpstreamHTTPRequest(url: server.url + "/\(index)", method: "GET")).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let barrier = server.wait()
        #expect(statuses.count == 50 && statuses.allSatisfy { $0 == 200 })
        #expect(barrier.requests == 50)  // all 50 were in flight at once
        #expect(client.threadCount == 1)
        #expect(barrier.threadsAtBarrier - baseline <= 2, "baseline \(baseline), at barrier \(barrier.threadsAtBarrier)")
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withServer({ connection in
            while let request = connection.readRequest() {
                connection.respond(headers: [("X-N", String(decoding: request.body, as: UTF8.self))], body: request.body)
            }
        }) { client, server in
            for index in 0..<5 {
                let response = try await client.execute(UpstreamHTTPRequest(url: server.url, body: Array("\(index)".utf8)))
                #expect(response.body == Array("\(index)".utf8))
            }
            var streamed = 0
            for try await part in client.stream(UpstreamHTTPRequest(url: server.url, body: Array("s".utf8))) {
                if case .body(let bytes) = part { streamed += bytes.count }
            }
            #expect(streamed == 1)
            #expect(server.acceptedCount == 1)
        }
    }

    /// Easy handles are reused from one request to the next: nothing of the previous request
    /// (method, headers, body, timeouts) may leak into the next.
    @Test func aReusedHandleCarriesNothingOfThePreviousRequest() async throws {
        try await withServer({ connection in
            while let request = connection.readRequest() {
                connection.respond(headers: [
                    ("X-Method", request.method),
                    ("X-Secret", request.headers["x-secret"] ?? "none"),
                    ("X-Length", "\(request.body.count)"),
                ], body: [])
            }
        }) { client, server in
            let post = try await client.execute(UpstreamHTTPRequest(
                url: server.url, headers: [.init(name: "X-Secret", value: "s1")], body: Array("abc".utf8),
                totalTimeout: .seconds(5)))
            #expect(post.headers["x-method"] == "POST")
            #expect(post.headers["x-secret"] == "s1")
            #expect(post.headers["x-length"] == "3")
            for _ in 0..<3 {
                let get = try await client.execute(UpstreamHTTPRequest(url: server.url, method: "GET"))
                #expect(get.headers["x-method"] == "GET")
                #expect(get.headers["x-secret"] == "none")
                #expect(get.headers["x-length"] == "0")
            }
            #expect(server.acceptedCount == 1)
        }
    }

    @Test func statusLinesParse() {
        func code(_ line: String) -> Int {
            Array(line.utf8).withUnsafeBytes { CurlTransfer.statusCode(ofStatusLine: $0) }
        }
        #expect(code("HTTP/1.1 200 OK") == 200)
        #expect(code("HTTP/2 429") == 429)
        #expect(code("HTTP/1.1  503 Service Unavailable") == 503)
        #expect(code("HTTP/1.1 2000 X") == 0)
        #expect(code("HTTP/1.1 20") == 0)
        #expect(code("HTTP/1.1") == 0)
    }

    @Test func shutdownFailsInFlightAndLaterRequestsAndIsIdempotent() async throws {
        let closedAt = CloseRecorder()
        let server = Self.closeWatchingServer(closedAt)
        defer { server.stop() }
        let client = CurlHTTPClient(logger: Self.logger)
        #expect(client.threadCount == 0)
        let stream = client.stream(UpstreamHTTPRequest(url: server.url))
        var iterator = stream.makeAsyncIterator()
        guard case .head = try await iterator.next() else {
            Issue.record("no head")
            return
        }
        client.shutdown()
        client.shutdown()
        do {
            while try await iterator.next() != nil {}
            Issue.record("expected an error")
        } catch let error as UpstreamHTTPError {
            #expect(error.kind == .cancelled)
        }
        do {
            _ = try await client.execute(UpstreamHTTPRequest(url: server.url))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .cancelled)
        }
        #expect(client.threadCount == 1)
        #expect(await Self.transfersDrain())
    }

    @Test func droppingTheClientStopsItsThread() async throws {
        let server = TestHTTPServer { connection in
            while let request = connection.readRequest() { connection.respond(body: request.body) }
        }
        defer { server.stop() }
        let baseline = processThreadCount()
        do {
            let client = CurlHTTPClient(logger: Self.logger)
            _ = try await client.execute(UpstreamHTTPRequest(url: server.url, body: [1]))
            #expect(client.threadCount == 1)
        }
        // The server's connection thread may still be finishing; the curl thread is joined.
        await Self.waitUntil(.seconds(2)) { processThreadCount() <= baseline }
        #expect(processThreadCount() <= baseline)
        #expect(await Self.transfersDrain())
    }
}
