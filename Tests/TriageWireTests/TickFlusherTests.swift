import NIOCore
import NIOEmbedded
import Testing
import TriageWire

@Suite struct TickFlusherTests {
    /// Records each write (the request id) and each flush that reaches the socket end.
    final class Recorder: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = WireMessage
        var events: [String] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .cancel(let id) = unwrapOutboundIn(data) { events.append(id) } else { events.append("other") }
            promise?.succeed(())
        }

        func flush(context: ChannelHandlerContext) {
            events.append("flush")
        }
    }

    @Test func messagesOfOneTickShareOneFlushAndKeepTheirOrder() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: recorder)
        let flusher = TickFlusher(channel: channel)
        let writes = (1...3).map { flusher.write(.cancel(id: "r\($0)")) }
        #expect(recorder.events == ["r1", "r2", "r3"], "nothing is flushed while the tick that wrote runs")
        channel.embeddedEventLoop.run()
        #expect(recorder.events == ["r1", "r2", "r3", "flush"])
        for write in writes { try write.wait() }
        _ = flusher.write(.cancel(id: "r4"))
        channel.embeddedEventLoop.run()
        #expect(recorder.events == ["r1", "r2", "r3", "flush", "r4", "flush"], "the next tick gets a flush of its own")
        _ = try channel.finish()
    }
}
