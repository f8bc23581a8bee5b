import Foundation
import Hummingbird
import NIOCore
import NIOExtras
import NIOPosix

/// The coordinator stand-in: HTTP connections and the link to the worker stand-in on one event
/// loop (as Triage's coordinator keeps its chat path on one loop).
enum FloorFront {
    static func run(portFile: String, socketPath: String) async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let link = try await FloorLink.connect(socketPath: socketPath, on: loop)
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let answer = try await link.call(body)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? 0
                                  try? Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: portFile))
                              },
                              eventLoopGroupProvider: .shared(loop))
        try await app.runService()
    }
}

/// One Unix-socket connection with length-prefixed frames; answers come back in order.
private final class FloorLink: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    /// Touched only on the channel's event loop.
    private var waiting: [EventLoopPromise<ByteBuffer>] = []
    private var channel: (any Channel)!

    static func connect(socketPath: String, on loop: any EventLoop) async throws -> FloorLink {
        let link = FloorLink()
        link.channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)))
                    try channel.pipeline.syncOperations.addHandler(link)
                }
            }
            .connect(unixDomainSocketPath: socketPath).get()
        return link
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !waiting.isEmpty { waiting.removeFirst().succeed(unwrapInboundIn(data)) }
    }

    /// Sends one body and waits for its answer.
    func call(_ body: ByteBuffer) async throws -> ByteBuffer {
        let channel = self.channel!
        return try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<ByteBuffer> in
            let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
            self.waiting.append(promise)
            var frame = channel.allocator.buffer(capacity: body.readableBytes + 4)
            frame.writeInteger(UInt32(body.readableBytes))
            frame.writeImmutableBuffer(body)
            channel.writeAndFlush(frame, promise: nil)
            return promise.futureResult
        }.get()
    }
}
