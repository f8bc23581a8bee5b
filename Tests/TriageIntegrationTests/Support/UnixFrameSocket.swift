import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking AF_UNIX stream client speaking the worker's framing by hand:
/// a 4-byte big-endian length, then that many bytes of JSON. Reads time out after
/// `readTimeout` so a test never hangs on a silent peer.
final class UnixFrameSocket {
    private var fd: Int32

    init(path: String, readTimeout: Duration = .seconds(5)) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var addr: sockaddr_un
        do { addr = try Self.address(path) } catch { close(fd); throw error }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw HarnessError("connect \(path): \(String(cString: strerror(e)))")
        }
        let seconds = readTimeout.components.seconds
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(readTimeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The `sockaddr_un` of a socket path.
    static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw HarnessError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return addr
    }

    deinit { disconnect() }

    func disconnect() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Writes raw bytes; returns false if the peer has gone (EPIPE/ECONNRESET).
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Writes one frame: the length of `payload`, then `payload`.
    @discardableResult
    func writeFrame(_ payload: [UInt8]) -> Bool {
        write(Self.lengthField(payload.count) + payload)
    }

    static func lengthField(_ n: Int) -> [UInt8] {
        let v = UInt32(n)
        return [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }

    enum ReadResult: Equatable {
        case frame([UInt8])
        /// The peer closed the connection (or reset it).
        case closed
        case timedOut
    }

    /// Reads one whole frame.
    func readFrame() -> ReadResult {
        let header: [UInt8]
        switch readExactly(4) {
        case .frame(let h): header = h
        case let other: return other
        }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        return readExactly(length)
    }

    /// Reads until the peer closes or a read times out.
    func readUntilClosed() -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return .closed }
            if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed }
        }
    }

    private func readExactly(_ count: Int) -> ReadResult {
        var out = [UInt8]()
        out.reserveCapacity(count)
        var buffer = [UInt8](repeating: 0, count: max(1, min(count, 65536)))
        while out.count < count {
            let n = recv(fd, &buffer, min(buffer.count, count - out.count), 0)
            if n == 0 { return .closed }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed
            }
            out += buffer[0..<n]
        }
        return .frame(out)
    }
}
