import NIOCore
import NIOEmbedded
import Testing
import TriageCore
import TriageWire
@testable import TriageWorker

/// What ``ReplyWriter`` adds to ``TickFlusher`` (whose one flush per tick `TickFlusherTests` checks):
/// a reply the codec refuses as too large reaches the coordinator as an error of its request.
@Suite struct ReplyWriterTests {
    /// Fails writes of `response` messages the way the frame encoder does past `max_frame_bytes`,
    /// and records every other message.
    final class TooLarge: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = WireMessage
        var written: [WireMessage] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let message = unwrapOutboundIn(data)
            if case .response = message {
                promise?.fail(WireCodecError.frameTooLarge(length: 9_000_000, limit: 8_388_608))
            } else {
                written.append(message)
                promise?.succeed(())
            }
        }
    }

    @Test func aReplyTooLargeToSendIsAnsweredWithAnErrorOfItsRequest() throws {
        let handler = TooLarge()
        let channel = EmbeddedChannel(handler: handler)
        let replies = ReplyWriter(channel: channel)
        replies.send(.response(WireResponse(id: "r1", status: 200, headers: [:], bodyBytes: [])), for: "r1")
        channel.embeddedEventLoop.run()
        guard case .error(let e) = try #require(handler.written.first) else {
            Issue.record("expected an error reply, got \(handler.written)")
            return
        }
        #expect(e.id == "r1")
        #expect(e.status == 502)
        #expect(e.error.code == "response_too_large")
        #expect(e.error.message.contains("9000000 bytes") && e.error.message.contains("max_frame_bytes (8388608)"))
        _ = try channel.finish()
    }
}
