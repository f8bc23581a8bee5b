/// One event dispatched by ``SSEParser`` from a `text/event-stream` body.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field of the event, or `nil` when the event had none (the spec's
    /// default type "message").
    public var event: String?
    /// The `data:` lines of the event joined with `\n` (no trailing newline).
    public var data: String
    /// The last event ID seen on the stream (the spec's "last event ID buffer", which
    /// carries over to later events), or `nil` when no `id:` field has been seen yet.
    public var id: String?

    /// Creates an event.
    /// - Parameters:
    ///   - event: The event type, `nil` for the default.
    ///   - data: The event's data.
    ///   - id: The last event ID, if any.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
