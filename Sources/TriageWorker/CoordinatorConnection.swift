import Foundation
import Logging
import NIOCore
import Synchronization
import TriageCore
import TriageWire

/// The last handler of a coordinator's connection to this worker: it says `hello`, and acts on
/// each message right on the connection's event loop: a `request` starts its task at once (no
/// hop through a reader task), `cancel` stops one, `ping` is answered.
final class CoordinatorConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage

    private let service: WorkerService
    /// Requests read on this connection are served on its event loop (see ``EventLoopTaskExecutor``).
    private let executor: EventLoopTaskExecutor
    private let replies: ReplyWriter

    init(service: WorkerService, channel: any Channel) {
        self.service = service
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
        self.replies = ReplyWriter(channel: channel)
    }

    func channelActive(context: ChannelHandlerContext) {
        service.connected(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        service.received(unwrapInboundIn(data), on: context.channel, replies: replies, executor: executor)
    }

    func channelInactive(context: ChannelHandlerContext) {
        service.disconnected(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        service.logger.debug("coordinator connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

extension WorkerService {
    /// A coordinator connected: introduce this worker.
    func connected(_ channel: any Channel) {
        connections.withLock { $0[ObjectIdentifier(channel)] = channel }
        channel.writeAndFlush(WireMessage.hello(Hello(workerID: options.id, pid: getpid(), capacity: config.workers.capacity)), promise: nil)
    }

    /// The coordinator is gone: nobody is left to answer, so stop its requests.
    func disconnected(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        connections.withLock { _ = $0.removeValue(forKey: key) }
        inFlight.cancelAll(connection: key)
    }

    func received(_ message: WireMessage, on channel: any Channel, replies: ReplyWriter, executor: (any TaskExecutor)? = nil) {
        switch message {
        case .request(let request):
            inFlight.start(request.id, connection: ObjectIdentifier(channel), on: executor) {
                await self.runner.serve(request, executor: executor) { reply in replies.send(reply, for: request.id) }
            }
        case .cancel(let id):
            inFlight.cancel(id)
        case .ping(let seq):
            channel.writeAndFlush(WireMessage.pong(seq: seq, inFlight: inFlight.count, capacity: config.workers.capacity), promise: nil)
        case .restart(let reason):
            restart(reason: reason)
        case .error(let e):
            logger.warning("coordinator reported a protocol error", metadata: ["error": "\(e.error.message)"])
        default:
            logger.debug("ignored message", metadata: ["type": "\(message)"])
        }
    }
}
