import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange written by hand on a TCP socket to 127.0.0.1, for requests an HTTP client
/// library will not send (oversized headers, chunked bodies): sends `request`, then reads until the
/// server closes the connection or `timeout` passes.
struct RawHTTP {
    /// What came back: the response text (possibly empty) and whether the server closed the connection.
    struct Reply {
        var text: String
        var closed: Bool
        var status: Int? {
            guard text.hasPrefix("HTTP/1.1 ") else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }
        /// The body after the header block.
        var body: String { text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
    }

    /// A TCP socket connected to 127.0.0.1:`port`, with the receive buffer set first when given
    /// (before `connect`, so that it sets the window the server sees).
    static func connected(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw HarnessError("connect 127.0.0.1:\(port): \(why)")
        }
        return fd
    }

    static func exchange(port: Int, _ request: [UInt8], timeout: Duration = .seconds(5)) throws -> Reply {
        let fd = try connected(port: port)
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < request.count {  // the server may answer and close before reading it all
            let n = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            offset += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        var closed = false
        while ContinuousClock.now < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { received += buffer[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { closed = true }
            break
        }
        return Reply(text: String(decoding: received, as: UTF8.self), closed: closed)
    }

    /// A POST of `body` to `path` with extra header lines.
    static func post(_ path: String, body: String, headers: [String] = []) -> [UInt8] {
        let head = (["POST \(path) HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                     "Content-Length: \(body.utf8.count)", "Connection: close"] + headers).joined(separator: "\r\n")
        return Array((head + "\r\n\r\n" + body).utf8)
    }

    /// A client that sends a request, reads the start of the answer and then stops reading, with a
    /// small receive buffer so the server's writes soon block; ``drain(timeout:)`` reads the rest.
    final class StalledReader: Sendable {
        private let fd: Int32
        /// What was read before stalling.
        let start: String

        init(port: Int, _ request: [UInt8], receiveBuffer: Int32 = 4096) throws {
            let fd = try RawHTTP.connected(port: port, receiveBuffer: receiveBuffer)
            var tv = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 1024)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            self.fd = fd
            start = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }

        /// Reads until the server closes the connection (or `timeout` passes): the rest of the answer.
        func drain(timeout: Duration = .seconds(20)) -> (text: String, closed: Bool) {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { received += buffer[0..<n]; continue }
                return (String(decoding: received, as: UTF8.self), n == 0)
            }
            return (String(decoding: received, as: UTF8.self), false)
        }

        deinit { close(fd) }
    }
}
