import NIOCore
import NIOEmbedded
import Synchronization
import Testing
import TriageWire
@testable import TriageWorker

@Suite struct ReplyWriterTests {
    /// Records what reaches the socket end of the pipeline: each write, and each flush.
    final class Recorder: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = WireMessage
        var events: [String] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .chunk(_, let data) = unwrapOutboundIn(data) { events.append(data) } else { events.append("other") }
            promise?.succeed(())
        }

        func flush(context: ChannelHandlerContext) {
            events.append("flush")
        }
    }

    @Test func repliesWrittenInOneLoopTickLeaveInOrderWithOneFlush() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: recorder)
        let replies = ReplyWriter(channel: channel)
        for i in 1...3 { replies.send(.chunk(id: "r", data: "c\(i)"), for: "r") }
        #expect(recorder.events == ["c1", "c2", "c3"], "nothing is flushed while the tick that wrote runs")
        channel.embeddedEventLoop.run()
        #expect(recorder.events == ["c1", "c2", "c3", "flush"])
        // The next tick's replies get a flush of their own.
        replies.send(.chunk(id: "r", data: "c4"), for: "r")
        channel.embeddedEventLoop.run()
        #expect(recorder.events == ["c1", "c2", "c3", "flush", "c4", "flush"])
        _ = try channel.finish()
    }
}
