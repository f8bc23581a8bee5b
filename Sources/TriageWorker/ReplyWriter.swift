import NIOCore
import TriageCore
import TriageWire

/// Writes a connection's replies, flushing once per event-loop tick: the chunks of a stream that
/// arrive together from the upstream (one libcurl read can hold many) leave in one `write`
/// system call instead of one each.
///
/// Replies of a request go out in the order sent, also from a cancelled task. One too large to
/// send is answered with an error instead.
///
/// One flush per tick comes from ``TickFlusher``.
final class ReplyWriter: Sendable {
    private let flusher: TickFlusher

    init(channel: any Channel) {
        flusher = TickFlusher(channel: channel)
    }

    /// Writes `reply` of request `id` without waiting.
    func send(_ reply: WireMessage, for id: String) {
        let channel = flusher.channel
        let written = flusher.write(reply)
        written.whenFailure { error in
            guard case WireCodecError.frameTooLarge(let length, let limit) = error else { return }
            let body = OpenAIErrorBody(message: "The answer (\(length) bytes) exceeds max_frame_bytes (\(limit)).",
                                       type: "upstream_error", code: "response_too_large")
            channel.writeAndFlush(WireMessage.error(WireErrorMessage(id: id, status: 502, error: body)), promise: nil)
        }
    }
}
