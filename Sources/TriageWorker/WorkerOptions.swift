/// How one worker process runs.
public struct WorkerOptions: Sendable {
    /// Unique id of this worker (`w1`, or the container's hostname in compose).
    public var id: String
    /// Unix socket path the worker listens on.
    public var socketPath: String
    /// When set, the worker exits as soon as its parent process is no longer this pid
    /// (a worker started by `triage up` must not outlive its coordinator).
    public var parentPID: Int32?

    public init(id: String, socketPath: String, parentPID: Int32? = nil) {
        self.id = id
        self.socketPath = socketPath
        self.parentPID = parentPID
    }
}
