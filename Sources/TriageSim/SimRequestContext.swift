import Hummingbird
import NIOCore
import NIOPosix

/// The simulated provider's request context: the basic one plus the connection's channel,
/// so that a fault can reset the connection.
public struct SimRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Resets the connection (TCP RST, no response byte), as a crashing or overloaded
    /// provider's load balancer would.
    func resetConnection() async {
        // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        if let provider = self.channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await self.channel.close().get()
    }
}
