import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request read by ``TestConnection/readRequest()``.
struct TestRequest: Sendable {
    var method: String
    var path: String
    /// Lower-cased names.
    var headers: [String: String]
    var body: [UInt8]
}

/// One accepted socket of a ``TestHTTPServer``, used by its handler on the handler's own
/// thread (blocking I/O).
final class TestConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads one request with a `Content-Length` body; `nil` at end of stream.
    func readRequest() -> TestRequest? {
        while true {
            if let end = headerEnd() {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard receiveMore() else { return nil }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return TestRequest(method: String(requestLine.first ?? ""),
                                   path: requestLine.count > 1 ? String(requestLine[1]) : "",
                                   headers: headers, body: body)
            }
            guard receiveMore() else { return nil }
        }
    }

    /// Sends raw bytes; returns false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool {
        write(Array(text.utf8))
    }

    /// Sends a complete response with a `Content-Length`.
    func respond(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        var head = "HTTP/1.1 \(status) Whatever\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        write(Array((head + "\r\n").utf8) + body)
    }

    /// Sends one chunk of a chunked body.
    func writeChunk(_ text: String) {
        let bytes = Array(text.utf8)
        write(String(bytes.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    /// Waits until the peer closes the connection (or resets it).
    /// - Returns: Whether it did within `timeout`.
    func waitForPeerClose(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 20) > 0 {
                var scratch = [UInt8](repeating: 0, count: 4096)
                let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return true }
            }
        }
        return false
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func receiveMore() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: scratch[..<count])
        return true
    }
}

/// Opens a TCP socket bound to 127.0.0.1 on an ephemeral port.
/// - Returns: The socket and its port.
func bindLoopbackSocket() -> (fd: Int32, port: UInt16) {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    precondition(fd >= 0, "socket failed")
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    precondition(bound == 0, "bind failed")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

/// Counts this process's OS threads.
func processThreadCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
}

/// A small blocking HTTP/1.1 server on 127.0.0.1 for tests: one accept thread, and one
/// thread per accepted connection that runs `handler` and then closes the socket.
final class TestHTTPServer: Sendable {
    private struct State {
        var accepted = 0
        var stopped = false
        var openSockets: Set<Int32> = []
    }

    let port: UInt16
    private let listenFD: Int32
    private let state = Mutex(State())
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    /// Starts listening.
    /// - Parameter handler: Serves one connection; the socket closes when it returns.
    init(handler: @escaping @Sendable (TestConnection) -> Void) {
        let (fd, port) = bindLoopbackSocket()
        precondition(listen(fd, 128) == 0, "listen failed")
        self.listenFD = fd
        self.port = port
        Thread.detachNewThread { [self] in acceptLoop(handler) }
    }

    /// The base URL, e.g. `http://127.0.0.1:1234`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// How many connections were accepted so far.
    var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Stops accepting, shuts down open connections (unblocking handlers) and closes the
    /// listening socket. Idempotent.
    func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            for fd in state.openSockets { shutdown(fd, Int32(SHUT_RDWR)) }
            return state.stopped
        }
        guard !wasStopped else { return }
        acceptLoopDone.wait()
        close(listenFD)
    }

    private func acceptLoop(_ handler: @escaping @Sendable (TestConnection) -> Void) {
        defer { acceptLoopDone.signal() }
        while !state.withLock({ $0.stopped }) {
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 20) > 0 else { continue }
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { continue }
            let admitted = state.withLock { state in
                guard !state.stopped else { return false }
                state.accepted += 1
                state.openSockets.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                continue
            }
            Thread.detachNewThread { [self] in
                handler(TestConnection(fd: fd))
                state.withLock { _ = $0.openSockets.remove(fd) }
                close(fd)
            }
        }
    }
}

/// A single-threaded server for the concurrency test: it accepts connections and reads
/// bodiless requests until `expected` have arrived, records the process's thread count at
/// that moment, then answers them all (`Connection: close`).
final class BarrierHTTPServer: Sendable {
    let port: UInt16
    private let listenFD: Int32
    private let result = Mutex<(requests: Int, threadsAtBarrier: Int)?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(expected: Int, timeout: Duration) {
        let (fd, port) = bindLoopbackSocket()
        precondition(listen(fd, 256) == 0, "listen failed")
        self.listenFD = fd
        self.port = port
        Thread.detachNewThread { [self] in serve(expected: expected, timeout: timeout) }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Waits for the server to finish.
    /// - Returns: How many requests arrived together and the thread count at that moment.
    func wait() -> (requests: Int, threadsAtBarrier: Int) {
        done.wait()
        close(listenFD)
        return result.withLock { $0 } ?? (0, 0)
    }

    private func serve(expected: Int, timeout: Duration) {
        defer { done.signal() }
        let deadline = ContinuousClock.now + timeout
        var connections: [Int32: [UInt8]] = [:]
        var complete: Set<Int32> = []
        while complete.count < expected, ContinuousClock.now < deadline {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            fds += connections.keys.filter { !complete.contains($0) }
                .map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 20) > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == listenFD {
                    let fd = accept(listenFD, nil, nil)
                    if fd >= 0 { connections[fd] = [] }
                    continue
                }
                var scratch = [UInt8](repeating: 0, count: 4096)
                let count = scratch.withUnsafeMutableBytes { recv(entry.fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    close(entry.fd)
                    connections[entry.fd] = nil
                    continue
                }
                connections[entry.fd, default: []].append(contentsOf: scratch[..<count])
                if String(decoding: connections[entry.fd]!, as: UTF8.self).contains("\r\n\r\n") {
                    complete.insert(entry.fd)
                }
            }
        }
        result.withLock { $0 = (complete.count, processThreadCount()) }
        for fd in connections.keys {
            let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
            if complete.contains(fd) {
                _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(fd)
        }
    }
}
