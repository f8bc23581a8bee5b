import NIOCore
import NIOEmbedded
import TriageCore
import TriageWire

/// Fuzzes the worker protocol's inbound side: the bytes a peer sends on a Unix socket, through
/// the real pipeline (`addWireHandlers`: frame limit, NIOExtras' length-field decoder, message
/// decoding, error replies) on an `EmbeddedChannel`.
///
/// Input: byte 0 picks the read size (1 byte to 64 KiB, so frames and length fields split across
/// reads anywhere; at least 1/64 of the stream), the rest is the stream. The frame limit is small
/// (4 KiB) so oversize length fields are reached.
/// Checked: no crash or leak; a connection that failed is closed; every decoded message
/// survives an encode/decode round trip through the same pipeline.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let stream = input.dropFirst()
    // At most 64 reads an input: each goes through the whole (debug, sanitized) pipeline.
    let readSize = max([1, 2, 3, 4, 5, 7, 16, 64, 1024, 65536][Int(input[0]) % 10], stream.count / 64 + 1)
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    guard (try? channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: 4096)) != nil else {
        fatalError("cannot install the wire handlers")
    }
    var failed = false
    var start = stream.startIndex
    while start < stream.endIndex, !failed {
        let end = min(start + readSize, stream.endIndex)
        var buffer = channel.allocator.buffer(capacity: end - start)
        buffer.writeBytes(UnsafeBufferPointer(rebasing: input[start..<end]))
        do {
            try channel.writeInbound(buffer)
        } catch {
            failed = true
        }
        start = end
    }
    var messages: [WireMessage] = []
    while let message = try? channel.readInbound(as: WireMessage.self) { messages.append(message) }
    if failed, channel.isActive { fatalError("a connection that failed to decode stayed open") }

    // Round trip: what was decoded encodes to a frame that decodes to the same message.
    for message in messages {
        let echo = EmbeddedChannel()
        defer { _ = try? echo.finish(acceptAlreadyClosed: true) }
        guard (try? echo.pipeline.syncOperations.addWireHandlers(maxFrameBytes: 1 << 20)) != nil else {
            fatalError("cannot install the wire handlers")
        }
        do {
            try echo.writeOutbound(message)
            var frame = echo.allocator.buffer(capacity: 256)
            while var part = try echo.readOutbound(as: ByteBuffer.self) { frame.writeBuffer(&part) }
            try echo.writeInbound(frame)
            let back = try echo.readInbound(as: WireMessage.self)
            if back != message { fatalError("round trip changed \(message) into \(String(describing: back))") }
        } catch {
            fatalError("round trip of \(message) failed: \(error)")
        }
    }
    return 0
}
