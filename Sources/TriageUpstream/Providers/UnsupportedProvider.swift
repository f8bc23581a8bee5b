import TriageCore

/// Stands for a provider kind this build cannot call yet; every attempt fails with
/// `unsupported`, so the ladder climbs past it and the reason is logged.
public struct UnsupportedProvider: ChatProvider {
    let reason: String

    public init(reason: String) { self.reason = reason }

    public func complete(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion {
        throw AttemptFailure(kind: .unsupported, message: reason)
    }

    public func stream(_ call: UpstreamCall) -> AsyncThrowingStream<StreamItem, any Error> {
        AsyncThrowingStream { $0.finish(throwing: AttemptFailure(kind: .unsupported, message: reason)) }
    }
}
