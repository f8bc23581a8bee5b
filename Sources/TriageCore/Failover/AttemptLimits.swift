/// The time limits of the next attempt, all cut to what is left of the request's budget.
/// The worker enforces them around the upstream call and reports the matching failure kind.
public struct AttemptLimits: Sendable, Equatable {
    /// No status line by then: fail the attempt as ``AttemptFailure/Kind/firstByteTimeout``.
    public var firstByte: Duration
    /// Streams: no content token by then: ``AttemptFailure/Kind/firstTokenTimeout``.
    public var firstToken: Duration
    /// Streams: no bytes for this long: ``AttemptFailure/Kind/streamStalled``.
    public var streamIdle: Duration
    /// The whole attempt (the tier's `timeout_s`): ``AttemptFailure/Kind/timeout``.
    public var total: Duration
    /// The request's deadline, for timers that prefer an instant.
    public var deadline: ContinuousClock.Instant

    public init(firstByte: Duration, firstToken: Duration, streamIdle: Duration, total: Duration, deadline: ContinuousClock.Instant) {
        self.firstByte = firstByte
        self.firstToken = firstToken
        self.streamIdle = streamIdle
        self.total = total
        self.deadline = deadline
    }
}
