import NIOCore
import NIOExtras
import TriageCore

/// Errors of the wire codec. Each closes the connection it happened on, and only that one.
public enum WireCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A frame's length field exceeds the configured maximum.
    case frameTooLarge(length: Int, limit: Int)
    /// A frame's payload is not a valid message.
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit) bytes"
        case .malformedMessage(let why): "malformed message: \(why)"
        }
    }
}

/// Rejects a frame as soon as its length field exceeds the limit, before buffering it.
///
/// ```
/// +----------------------+-----------------------------------+
/// | length: UInt32, BE   | payload: `length` bytes: a JSON   |
/// | (payload bytes only) | header line, then raw body bytes  |
/// +----------------------+-----------------------------------+
/// ```
/// Sits in front of NIOExtras' `LengthFieldBasedFrameDecoder`, which does the framing; the
/// `ByteToMessageHandler`'s `maximumBufferSize` is the backstop.
final class FrameLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    /// Bytes of the current frame still to pass before the next length field.
    private var remainingInFrame = 0
    /// Bytes of a length field split across reads.
    private var header: [UInt8] = []
    /// Set once a frame was refused: nothing more is read from this connection.
    private var failed = false

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if failed { return }
        let buffer = unwrapInboundIn(data)
        var view = buffer.readableBytesView[...]
        while !view.isEmpty {
            let headerStart = view.startIndex - header.count
            if remainingInFrame > 0 {
                let n = min(remainingInFrame, view.count)
                remainingInFrame -= n
                view = view.dropFirst(n)
                continue
            }
            let need = 4 - header.count
            header.append(contentsOf: view.prefix(need))
            view = view.dropFirst(need)
            if header.count == 4 {
                let length = header.reduce(0) { $0 << 8 | Int($1) }
                header.removeAll(keepingCapacity: true)
                if length > limit {
                    failed = true
                    // Frames that arrived complete before the oversize one still count.
                    let good = max(headerStart, buffer.readableBytesView.startIndex) - buffer.readableBytesView.startIndex
                    if good > 0, let before = buffer.getSlice(at: buffer.readerIndex, length: good) {
                        context.fireChannelRead(wrapInboundOut(before))
                    }
                    context.fireErrorCaught(WireCodecError.frameTooLarge(length: length, limit: limit))
                    return
                }
                remainingInFrame = length
            }
        }
        context.fireChannelRead(data)
    }
}

/// Frame payload ⟷ ``WireMessage`` (see `WireMessage+Frame.swift` for the payload layout).
final class WireMessageCodec: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = WireMessage
    typealias OutboundIn = WireMessage
    typealias OutboundOut = ByteBuffer

    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            let message = try WireMessage(framePayload: buffer)
            context.fireChannelRead(wrapInboundOut(message))
        } catch {
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data).framePayload()
        // A frame the peer would refuse is not sent: the writer gets the error and can
        // answer that one request otherwise, and the connection stays up for the rest.
        guard payload.count <= limit else {
            promise?.fail(WireCodecError.frameTooLarge(length: payload.count, limit: limit))
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: payload.count + 4)
        buffer.writeInteger(UInt32(payload.count), endianness: .big)
        buffer.writeBytes(payload)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}

/// On a codec error, sends an `error` message naming it and closes this connection only.
final class WireErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let message: String
        switch error {
        case let e as WireCodecError: message = e.description
        case is ByteToMessageDecoderError.PayloadTooLargeError: message = "frame exceeds the buffer limit"
        default:
            context.fireErrorCaught(error)
            return
        }
        let reply = WireMessage.error(WireErrorMessage(id: nil, status: 400,
                                                       error: OpenAIErrorBody(message: message, type: "protocol_error", code: "bad_frame")))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        context.fireErrorCaught(error)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Installs the wire protocol's handlers: length-prefixed frames of at most `maxFrameBytes`,
    /// messages in and out (each written as one buffer, length field included), and
    /// per-connection error replies.
    public func addWireHandlers(maxFrameBytes: Int) throws {
        try addHandler(FrameLimitHandler(limit: maxFrameBytes))
        try addHandler(ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes),
                                            maximumBufferSize: maxFrameBytes + 4))
        try addHandler(WireMessageCodec(limit: maxFrameBytes))
        try addHandler(WireErrorHandler())
    }
}
