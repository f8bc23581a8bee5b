import Foundation
import NIOCore
import Synchronization
import TriageCore
import TriageWire

/// What a request's reply stream carries: the worker's messages for it, or the news that the
/// connection was lost (and whether the worker had already sent the request upstream).
enum LinkEvent: Sendable {
    case message(WireMessage)
    /// Stream chunks (`data` of `chunk` messages) read in one burst from the worker, in order:
    /// relayed to the client in one write.
    case chunks([String])
    case lost(sentUpstream: Bool, reason: String)
    /// The client left more than `limit` bytes of its stream unread: the worker was told to stop,
    /// and nothing more of the stream follows.
    case clientTooSlow(limit: Int)
}

/// The coordinator's one connection to one worker. Many requests share it; replies are
/// routed to each request's stream by id, straight from the connection's channel handler
/// (``WorkerLinkHandler``) on its event loop, and requests are written without waiting.
final class WorkerLink: Sendable {
    let workerID: String
    let socketPath: String
    /// When the worker's process started (its registry row): a config reload restarts those that
    /// started before it was asked for.
    let startedAt: Date
    let capacity: Int
    /// Most bytes of one stream relayed to its client's task and not yet written (`limits.max_stream_buffer_kb`).
    let maxStreamBuffer: Int
    private let channel: any Channel
    /// Requests written in one loop tick share a flush (and wake the worker once).
    private let requests: TickFlusher
    private let state: Mutex<State>

    private struct Pending {
        var continuation: AsyncStream<LinkEvent>.Continuation
        var sentUpstream = false
        /// Stream bytes yielded to the request's task and not yet reported written (``consumed(id:bytes:)``).
        var buffered = 0
        /// Called when the stream is stopped for its slow client (``onCut(id:_:)``).
        var onCut: (@Sendable () -> Void)?
    }

    private struct State {
        var pending: [String: Pending] = [:]
        var draining = false
        var closed = false
        /// Dropped for not answering pings: the worker may still serve what it was sent.
        var unresponsive = false
        var lastPong: ContinuousClock.Instant
        var pingSeq: UInt64 = 0
        /// Chunks read in the current burst, by request, in arrival order of the requests.
        var chunks: [String: [String]] = [:]
        var chunked: [String] = []
    }

    init(hello: Hello, socketPath: String, startedAt: Date = .distantPast, channel: any Channel,
         maxStreamBuffer: Int = Limits().maxStreamBufferBytes) {
        self.workerID = hello.workerID
        self.socketPath = socketPath
        self.startedAt = startedAt
        self.capacity = hello.capacity
        self.maxStreamBuffer = maxStreamBuffer
        self.channel = channel
        self.requests = TickFlusher(channel: channel)
        self.state = Mutex(State(lastPong: .now))
    }

    /// Requests waiting for their reply on this link.
    var inFlight: Int { state.withLock { $0.pending.count } }

    /// Whether the link takes new requests.
    var isAvailable: Bool { state.withLock { !$0.draining && !$0.closed && $0.pending.count < capacity } }

    var isDraining: Bool { state.withLock { $0.draining } }

    var lastPong: ContinuousClock.Instant { state.withLock { $0.lastPong } }

    /// Sends a request; its replies arrive on the returned stream, which ends after the final
    /// reply (`response`, `end` or `error`) or a `.lost` event.
    func send(_ request: WireRequest) async -> AsyncStream<LinkEvent> {
        let (stream, continuation) = AsyncStream<LinkEvent>.makeStream()
        let registered = state.withLock { s -> Bool in
            if s.closed { return false }
            s.pending[request.id] = Pending(continuation: continuation)
            return true
        }
        guard registered else {
            continuation.yield(.lost(sentUpstream: false, reason: "connection to worker \(workerID) is closed"))
            continuation.finish()
            return stream
        }
        let id = request.id
        requests.write(WireMessage.request(request)).whenFailure { [self] error in
            fail(id: id, reason: "could not write to worker \(workerID): \(error)")
        }
        return stream
    }

    /// Tells the worker the client went away, and ends the request's reply stream here at once
    /// (as lost after going upstream, so it is never retried on another worker).
    func cancel(id: String) async {
        guard state.withLock({ $0.pending[id] != nil }) else { return }
        channel.writeAndFlush(WireMessage.cancel(id: id), promise: nil)
        let (p, held) = state.withLock { ($0.pending.removeValue(forKey: id), $0.chunks.removeValue(forKey: id)) }
        if let held { p?.continuation.yield(.chunks(held)) }
        p?.continuation.yield(.lost(sentUpstream: true, reason: "the client went away"))
        p?.continuation.finish()
    }

    /// Sends a ping.
    /// Asks the worker to drain and exit, to be started again on the config file as it is now
    /// (a config reload). It stops taking requests from this coordinator at once.
    func restart(reason: String) {
        state.withLock { $0.draining = true }
        channel.writeAndFlush(WireMessage.restart(reason: reason), promise: nil)
    }

    /// Whether the connection has closed.
    var isClosed: Bool { state.withLock { $0.closed } }

    func ping() async {
        let seq = state.withLock { s -> UInt64 in
            s.pingSeq += 1
            return s.pingSeq
        }
        channel.writeAndFlush(WireMessage.ping(seq: seq), promise: nil)
    }

    /// Closes the connection.
    /// - Parameter unresponsive: the worker stopped answering pings but may be alive (paused,
    ///   overloaded) and still serve what it was sent, so none of its requests may be retried on
    ///   another worker (that would call upstream, and charge, twice): they end as lost.
    func close(unresponsive: Bool = false) {
        if unresponsive { state.withLock { $0.unresponsive = true } }
        channel.close(promise: nil)
    }

    /// Routes one inbound message.
    func receive(_ message: WireMessage) {
        switch message {
        case .pong:
            state.withLock { $0.lastPong = .now }
        case .drain:
            state.withLock { $0.draining = true }
        case .sent(let id):
            state.withLock { $0.pending[id]?.sentUpstream = true }
        case .chunk(let id, let data):
            // Held until the end of this read burst (``readComplete()``) or the request's next message.
            state.withLock { s in
                guard s.pending[id] != nil else { return }
                if s.chunks[id]?.append(data) == nil {
                    s.chunks[id] = [data]
                    s.chunked.append(id)
                }
            }
        case .response, .end, .error, .head:
            guard let id = message.requestID else { return }
            let final: Bool = switch message {
            case .response, .end, .error: true
            default: false
            }
            let (continuation, held) = state.withLock { s -> (AsyncStream<LinkEvent>.Continuation?, [String]?) in
                let held = s.chunks.removeValue(forKey: id)
                return (final ? s.pending.removeValue(forKey: id)?.continuation : s.pending[id]?.continuation, held)
            }
            if let held { continuation?.yield(.chunks(held)) }
            continuation?.yield(.message(message))
            if final { continuation?.finish() }
        default:
            break
        }
    }

    /// The end of a read burst: relays the chunks it held, one event per request. A request whose
    /// client has left more than ``maxStreamBuffer`` bytes unwritten is stopped instead: its worker is
    /// told to cancel (as when the client goes away) and the stream ends with ``LinkEvent/clientTooSlow(limit:)``.
    func readComplete() {
        let (ready, cut) = state.withLock { s -> ([(AsyncStream<LinkEvent>.Continuation, [String])], [(String, AsyncStream<LinkEvent>.Continuation, (@Sendable () -> Void)?)]) in
            guard !s.chunked.isEmpty else { return ([], []) }
            defer { s.chunked.removeAll(keepingCapacity: true) }
            var ready: [(AsyncStream<LinkEvent>.Continuation, [String])] = []
            var cut: [(String, AsyncStream<LinkEvent>.Continuation, (@Sendable () -> Void)?)] = []
            for id in s.chunked {
                guard let held = s.chunks.removeValue(forKey: id), let p = s.pending[id] else { continue }
                let buffered = p.buffered + held.reduce(0) { $0 + $1.utf8.count }
                if buffered > maxStreamBuffer {
                    s.pending.removeValue(forKey: id)
                    cut.append((id, p.continuation, p.onCut))
                } else {
                    s.pending[id]?.buffered = buffered
                    ready.append((p.continuation, held))
                }
            }
            return (ready, cut)
        }
        for (continuation, held) in ready { continuation.yield(.chunks(held)) }
        for (id, continuation, onCut) in cut {
            channel.writeAndFlush(WireMessage.cancel(id: id), promise: nil)
            continuation.yield(.clientTooSlow(limit: maxStreamBuffer))
            continuation.finish()
            onCut?()
        }
    }

    /// Runs `action` if the request's stream is stopped because its client fell too far behind
    /// (the request's task may be stuck writing to that client and learn it only much later).
    func onCut(id: String, _ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.pending[id]?.onCut = action }
    }

    /// The request's task wrote `bytes` of relayed stream chunks to its client.
    func consumed(id: String, bytes: Int) {
        state.withLock { $0.pending[id]?.buffered -= bytes }
    }

    /// Fails one pending request as lost.
    private func fail(id: String, reason: String) {
        let (p, held) = state.withLock { ($0.pending.removeValue(forKey: id), $0.chunks.removeValue(forKey: id)) }
        if let held { p?.continuation.yield(.chunks(held)) }
        p?.continuation.yield(.lost(sentUpstream: p?.sentUpstream ?? false, reason: reason))
        p?.continuation.finish()
    }

    /// The connection ended: every pending request learns it was lost.
    func closed(reason: String) {
        let (pending, unresponsive, held) = state.withLock { s -> ([String: Pending], Bool, [String: [String]]) in
            s.closed = true
            defer { s.pending.removeAll(); s.chunks.removeAll(); s.chunked.removeAll() }
            return (s.pending, s.unresponsive, s.chunks)
        }
        for (id, p) in pending {
            if let chunks = held[id] { p.continuation.yield(.chunks(chunks)) }
            p.continuation.yield(.lost(sentUpstream: p.sentUpstream || unresponsive, reason: reason))
            p.continuation.finish()
        }
    }
}

/// The last handler of a worker connection: waits for the worker's `hello`, then hands every
/// message to the connection's ``WorkerLink`` right here on the event loop (no task hop).
final class WorkerLinkHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage

    /// The worker's `hello` and the link made for it.
    struct Greeting: Sendable {
        var hello: Hello
        var link: WorkerLink
    }

    private let socketPath: String
    private let startedAt: Date
    private let maxStreamBuffer: Int
    private let greeted: EventLoopPromise<Greeting>
    private var link: WorkerLink?

    init(socketPath: String, startedAt: Date, maxStreamBuffer: Int, greeted: EventLoopPromise<Greeting>) {
        self.socketPath = socketPath
        self.startedAt = startedAt
        self.maxStreamBuffer = maxStreamBuffer
        self.greeted = greeted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if let link {
            link.receive(message)
            return
        }
        guard case .hello(let hello) = message else {
            greeted.fail(TriageError.internalError("the worker did not say hello"))
            context.close(promise: nil)
            return
        }
        let link = WorkerLink(hello: hello, socketPath: socketPath, startedAt: startedAt, channel: context.channel, maxStreamBuffer: maxStreamBuffer)
        self.link = link
        greeted.succeed(Greeting(hello: hello, link: link))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        link?.readComplete()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        greeted.fail(TriageError.internalError("the worker closed the connection before saying hello"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        greeted.fail(error)
        context.close(promise: nil)
    }

    /// A connect that failed (refused, timed out) never makes the channel active, so neither
    /// `channelRead` nor `channelInactive` completes the promise; removing the handler on close does.
    /// (A promise already completed stays as it was.)
    func handlerRemoved(context: ChannelHandlerContext) {
        greeted.fail(TriageError.internalError("the connection to the worker at \(socketPath) closed before it said hello"))
    }
}
