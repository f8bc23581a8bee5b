import Synchronization

/// The requests a worker is serving, by id and by the coordinator connection they came on,
/// so they can be counted and cancelled.
final class InFlightRequests: Sendable {
    private let tasks = Mutex<[String: (task: Task<Void, Never>, connection: ObjectIdentifier)]>([:])

    var count: Int { tasks.withLock { $0.count } }

    /// Starts `operation` as the request `id`'s task, on `executor` when given; it leaves the
    /// set when it ends.
    ///
    /// The task is created and recorded under the lock, so its own removal (which takes the
    /// lock) always comes after: a request that finishes at once cannot leave a stale entry
    /// behind (which would keep a draining worker waiting and hold the task's memory).
    func start(_ id: String, connection: ObjectIdentifier, on executor: (any TaskExecutor)? = nil, _ operation: @escaping @Sendable () async -> Void) {
        tasks.withLock { t in
            t[id] = (Task(executorPreference: executor) {
                await operation()
                self.remove(id)
            }, connection)
        }
    }

    func remove(_ id: String) {
        _ = tasks.withLock { $0.removeValue(forKey: id) }
    }

    func cancel(_ id: String) {
        tasks.withLock { $0[id] }?.task.cancel()
    }

    /// Cancels every request that came on this connection (its coordinator is gone).
    func cancelAll(connection: ObjectIdentifier) {
        let victims = tasks.withLock { t in t.values.filter { $0.connection == connection }.map(\.task) }
        victims.forEach { $0.cancel() }
    }
}
