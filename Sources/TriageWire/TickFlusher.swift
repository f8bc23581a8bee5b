import NIOCore

/// Writes to a channel and flushes at most once per event-loop tick: messages written during one
/// tick (the replies of a burst of upstream chunks, or the requests of a burst of client
/// connections) leave in one `write` system call, and wake the peer once, instead of one each.
///
/// On a 2-core machine every write to a Unix socket wakes the peer, which then preempts the
/// writer: flushing per message cost a context switch per message on each side.
///
/// `@unchecked Sendable`: `flushScheduled` is read and written only on the channel's event loop.
public final class TickFlusher: @unchecked Sendable {
    /// The channel written to.
    public let channel: any Channel
    private var flushScheduled = false

    public init(channel: any Channel) {
        self.channel = channel
    }

    /// Writes `message`. On the channel's event loop the flush runs once the task that wrote
    /// yields the loop (after the rest of its burst); off the loop, it is written and flushed at once.
    /// Messages leave in the order written.
    /// - Returns: The write's result.
    public func write(_ message: WireMessage) -> EventLoopFuture<Void> {
        guard channel.eventLoop.inEventLoop else { return channel.writeAndFlush(message) }
        let written = channel.write(message)
        if !flushScheduled {
            flushScheduled = true
            let channel = self.channel
            channel.eventLoop.execute {
                self.flushScheduled = false
                channel.flush()
            }
        }
        return written
    }
}
