import NIOCore
import NIOEmbedded
import TriageCore
import TriageWire

/// An active embedded channel with the wire handlers installed.
func wireChannel(maxFrameBytes: Int = 1024) throws -> EmbeddedChannel {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: maxFrameBytes)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
    return channel
}

/// Everything the channel wrote, as one buffer.
func outboundBytes(_ channel: EmbeddedChannel) throws -> ByteBuffer {
    var all = ByteBuffer()
    while var b = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&b) }
    return all
}

/// Every message the channel decoded so far.
func inboundMessages(_ channel: EmbeddedChannel) throws -> [WireMessage] {
    var out: [WireMessage] = []
    while let m = try channel.readInbound(as: WireMessage.self) { out.append(m) }
    return out
}

/// A frame: 4-byte big-endian length, then the payload.
func frame(_ payload: String) -> ByteBuffer {
    frame(Array(payload.utf8))
}

func frame(_ payload: [UInt8]) -> ByteBuffer {
    var b = ByteBuffer()
    b.writeInteger(UInt32(payload.count), endianness: .big)
    b.writeBytes(payload)
    return b
}

/// Splits the frames in `bytes` into their JSON headers, checking each length field.
func payloads(_ bytes: ByteBuffer) throws -> [JSONValue] {
    try frames(bytes).map(\.header)
}

/// Splits the frames in `bytes` into their JSON header and the body bytes after the first newline.
func frames(_ bytes: ByteBuffer) throws -> [(header: JSONValue, body: [UInt8]?)] {
    var b = bytes
    var out: [(header: JSONValue, body: [UInt8]?)] = []
    while b.readableBytes > 0 {
        guard let length = b.readInteger(endianness: .big, as: UInt32.self),
              let payload = b.readBytes(length: Int(length)) else {
            throw WireTestError.truncatedFrame
        }
        if let nl = payload.firstIndex(of: 0x0A) {
            out.append((try JSONValue.parse(payload[..<nl]), Array(payload[(nl + 1)...])))
        } else {
            out.append((try JSONValue.parse(payload), nil))
        }
    }
    return out
}

enum WireTestError: Error { case truncatedFrame }
