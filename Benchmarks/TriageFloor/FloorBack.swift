import Foundation
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import TriageUpstream
import TriageWire

/// The worker stand-in: serves each frame on its connection's event loop (as Triage's worker
/// does, through ``EventLoopTaskExecutor``) by POSTing its bytes upstream with ``CurlHTTPClient``.
enum FloorBack {
    static func run(socketPath: String, upstreamURL: String) async throws {
        let client = CurlHTTPClient(logger: Logger(label: "floor"))
        try? FileManager.default.removeItem(atPath: socketPath)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)))
                    try channel.pipeline.syncOperations.addHandler(
                        FrameServer(client: client, url: upstreamURL, executor: EventLoopTaskExecutor(channel.eventLoop)))
                }
            }
            .bind(unixDomainSocketPath: socketPath).get()
        try await server.closeFuture.get()
    }
}

/// Answers each frame with the upstream's body, framed.
private final class FrameServer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let client: CurlHTTPClient
    let url: String
    let executor: EventLoopTaskExecutor

    init(client: CurlHTTPClient, url: String, executor: EventLoopTaskExecutor) {
        self.client = client
        self.url = url
        self.executor = executor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let body = Array(unwrapInboundIn(data).readableBytesView)
        let channel = context.channel
        let request = UpstreamHTTPRequest(url: url, headers: [.init(name: "Content-Type", value: "application/json"),
                                                              .init(name: "Accept", value: "application/json")],
                                          body: body)
        Task(executorPreference: executor) { [client] in
            let answer = (try? await client.execute(request))?.body ?? Array(#"{"error":"upstream"}"#.utf8)
            var frame = channel.allocator.buffer(capacity: answer.count + 4)
            frame.writeInteger(UInt32(answer.count))
            frame.writeBytes(answer)
            channel.writeAndFlush(frame, promise: nil)
        }
    }
}
