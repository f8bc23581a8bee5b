import Foundation

/// One row of the worker registry: a worker process, where to reach it and when it last spoke.
public struct WorkerRecord: Sendable, Equatable, Codable {
    /// The lifecycle state of a worker.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Accepting requests.
        case ready
        /// Finishing in-flight requests; takes no new ones.
        case draining
        /// Gone; kept until pruned.
        case stopped
    }

    /// A unique worker id.
    public var id: String
    /// The worker's process id.
    public var pid: Int32
    /// The host name the worker runs on.
    public var host: String
    /// The Unix socket the worker listens on.
    public var socketPath: String
    /// How many requests it may run at once.
    public var capacity: Int
    /// Its lifecycle state.
    public var state: State
    /// When the worker started.
    public var startedAt: Date
    /// When the worker last reported it was alive.
    public var heartbeatAt: Date

    /// Creates a record.
    /// - Parameters:
    ///   - id: A unique worker id.
    ///   - pid: The worker's process id.
    ///   - host: The host name.
    ///   - socketPath: The Unix socket path.
    ///   - capacity: Concurrent request capacity.
    ///   - state: Lifecycle state.
    ///   - startedAt: Start time.
    ///   - heartbeatAt: Last heartbeat time; defaults to `startedAt`.
    public init(id: String, pid: Int32, host: String, socketPath: String, capacity: Int,
                state: State = .ready, startedAt: Date, heartbeatAt: Date? = nil) {
        self.id = id
        self.pid = pid
        self.host = host
        self.socketPath = socketPath
        self.capacity = capacity
        self.state = state
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt ?? startedAt
    }
}
