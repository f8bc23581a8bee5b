/// Told when an upstream call makes progress, so the worker can enforce time-to-first-byte and
/// stream-idle limits around it.
public protocol AttemptProgress: Sendable {
    /// The provider's status line and headers arrived (`headers`: lower-cased names).
    func responseStarted(headers: [String: String])
    /// Response body bytes arrived.
    func bytesReceived()
}
