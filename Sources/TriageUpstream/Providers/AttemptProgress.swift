/// Told when an upstream call makes progress, so the worker can enforce time-to-first-byte and
/// stream-idle limits around it.
public protocol AttemptProgress: Sendable {
    /// The provider's status line and headers arrived.
    func responseStarted()
    /// Response body bytes arrived.
    func bytesReceived()
}
