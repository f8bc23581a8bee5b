import Synchronization

/// The requests a worker is serving, so they can be counted and cancelled.
final class InFlightRequests: Sendable {
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])

    var count: Int { tasks.withLock { $0.count } }

    func insert(_ id: String, _ task: Task<Void, Never>) {
        tasks.withLock { $0[id] = task }
    }

    func remove(_ id: String) {
        _ = tasks.withLock { $0.removeValue(forKey: id) }
    }

    func cancel(_ id: String) {
        tasks.withLock { $0[id] }?.cancel()
    }

    func cancelAll(_ ids: some Sequence<String>) {
        let victims = tasks.withLock { t in ids.compactMap { t[$0] } }
        victims.forEach { $0.cancel() }
    }
}
