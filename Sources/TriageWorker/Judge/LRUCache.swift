import Synchronization

/// A bounded map that forgets its least recently used entry when full. Thread-safe.
final class LRUCache<Value: Sendable>: Sendable {
    private struct State {
        var values: [String: (value: Value, tick: UInt64)] = [:]
        var tick: UInt64 = 0
    }
    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    func get(_ key: String) -> Value? {
        state.withLock { s in
            guard let hit = s.values[key] else { return nil }
            s.tick += 1
            s.values[key] = (hit.value, s.tick)
            return hit.value
        }
    }

    func set(_ key: String, _ value: Value) {
        guard capacity > 0 else { return }
        state.withLock { s in
            s.tick += 1
            s.values[key] = (value, s.tick)
            if s.values.count > capacity {
                // Evict the oldest eighth at once, so eviction costs O(n) only every n/8 inserts.
                let drop = max(1, capacity / 8)
                let oldest = s.values.sorted { $0.value.tick < $1.value.tick }.prefix(drop)
                for (k, _) in oldest { s.values[k] = nil }
            }
        }
    }

    var count: Int { state.withLock { $0.values.count } }
}
