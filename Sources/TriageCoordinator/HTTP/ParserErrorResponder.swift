import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import TriageCore

/// Answers a request the HTTP/1 parser refuses (headers over Hummingbird's 80 KiB limit, too many
/// header fields, a malformed head) with an OpenAI-shaped error (`431` for headers too large,
/// `400` otherwise) and closes the connection. Hummingbird's own answer is a `400` with an empty
/// body, which an OpenAI client cannot explain to its user.
///
/// Sits after the HTTP/1 codec (`HTTP1Channel.Configuration.additionalChannelHandlers`). It answers
/// only between responses: when a parser error comes while a response is being written (a
/// pipelined request), the error goes on to Hummingbird as before.
final class ParserErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var responding = false
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end: responding = false
        case .body: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if answered { return }  // the parser's later complaints about the same connection
        guard let parserError = error as? HTTPParserError, !responding else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let (status, body) = Self.answer(parserError)
        let bytes = body.envelopeBytes()
        let head = HTTPResponse(status: .init(code: status), headerFields: [
            .contentType: "application/json", .contentLength: String(bytes.count), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        // A lingering close: the client may still be sending the rest of its headers, and closing
        // with them unread resets the connection, which can drop the answer before the client
        // reads it. So the output closes first; input is read and dropped until the client closes
        // (or for at most 2 s), then the connection closes.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if answered, let e = event as? ChannelEvent, e == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The status and error body for a parser error.
    static func answer(_ error: HTTPParserError) -> (status: Int, body: OpenAIErrorBody) {
        if error == .headerOverflow {
            return (431, OpenAIErrorBody(
                message: "Request header fields too large: at most 80 KiB of headers (each field and all together) and 1000 fields.",
                type: "invalid_request_error", code: "request_header_fields_too_large"))
        }
        return (400, OpenAIErrorBody(message: "Malformed HTTP request: \(error).", type: "invalid_request_error", code: "bad_request"))
    }
}
