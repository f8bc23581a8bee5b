import NIOCore
import Synchronization
import TriageCore
import TriageWire

/// What a request's reply stream carries: the worker's messages for it, or the news that the
/// connection was lost (and whether the worker had already sent the request upstream).
enum LinkEvent: Sendable {
    case message(WireMessage)
    case lost(sentUpstream: Bool, reason: String)
}

/// The coordinator's one connection to one worker. Many requests share it; replies are
/// routed to each request's stream by id.
final class WorkerLink: Sendable {
    let workerID: String
    let socketPath: String
    let capacity: Int
    private let outbound: NIOAsyncChannelOutboundWriter<WireMessage>
    private let channel: any Channel
    private let state: Mutex<State>

    private struct Pending {
        var continuation: AsyncStream<LinkEvent>.Continuation
        var sentUpstream = false
    }

    private struct State {
        var pending: [String: Pending] = [:]
        var draining = false
        var closed = false
        var lastPong: ContinuousClock.Instant
        var pingSeq: UInt64 = 0
    }

    init(hello: Hello, socketPath: String, outbound: NIOAsyncChannelOutboundWriter<WireMessage>, channel: any Channel) {
        self.workerID = hello.workerID
        self.socketPath = socketPath
        self.capacity = hello.capacity
        self.outbound = outbound
        self.channel = channel
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
        do {
            try await outbound.write(.request(request))
        } catch {
            fail(id: request.id, reason: "could not write to worker \(workerID): \(error)")
        }
        return stream
    }

    /// Tells the worker the client went away, and ends the request's reply stream here at once
    /// (as lost after going upstream, so it is never retried on another worker).
    func cancel(id: String) async {
        guard state.withLock({ $0.pending[id] != nil }) else { return }
        try? await outbound.write(.cancel(id: id))
        let p = state.withLock { $0.pending.removeValue(forKey: id) }
        p?.continuation.yield(.lost(sentUpstream: true, reason: "the client went away"))
        p?.continuation.finish()
    }

    /// Sends a ping.
    func ping() async {
        let seq = state.withLock { s -> UInt64 in
            s.pingSeq += 1
            return s.pingSeq
        }
        try? await outbound.write(.ping(seq: seq))
    }

    /// Closes the connection (a worker that stopped answering).
    func close() {
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
        case .response, .end, .error, .head, .chunk:
            guard let id = message.requestID else { return }
            let final: Bool = switch message {
            case .response, .end, .error: true
            default: false
            }
            let continuation = state.withLock { s -> AsyncStream<LinkEvent>.Continuation? in
                final ? s.pending.removeValue(forKey: id)?.continuation : s.pending[id]?.continuation
            }
            continuation?.yield(.message(message))
            if final { continuation?.finish() }
        default:
            break
        }
    }

    /// Fails one pending request as lost.
    private func fail(id: String, reason: String) {
        let p = state.withLock { $0.pending.removeValue(forKey: id) }
        p?.continuation.yield(.lost(sentUpstream: p?.sentUpstream ?? false, reason: reason))
        p?.continuation.finish()
    }

    /// The connection ended: every pending request learns it was lost.
    func closed(reason: String) {
        let pending = state.withLock { s -> [String: Pending] in
            s.closed = true
            defer { s.pending.removeAll() }
            return s.pending
        }
        for (_, p) in pending {
            p.continuation.yield(.lost(sentUpstream: p.sentUpstream, reason: reason))
            p.continuation.finish()
        }
    }
}
