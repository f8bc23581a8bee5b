import Hummingbird
import NIOCore

/// Hummingbird's request context plus the client's channel, so a disconnect can cancel
/// the request down to the upstream call.
struct TriageRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
