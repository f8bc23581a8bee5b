import Foundation

/// Polls `condition` every `interval` until it returns a value or `timeout` passes.
/// - Returns: the first non-nil value, or nil on timeout.
func poll<T>(timeout: Duration, interval: Duration = .milliseconds(50),
                   _ condition: () async throws -> T?) async rethrows -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        if ContinuousClock.now >= deadline { return nil }
        try? await Task.sleep(for: interval)
    }
}

/// Polls a condition until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, interval: Duration = .milliseconds(50),
                _ condition: () async throws -> Bool) async rethrows -> Bool {
    try await poll(timeout: timeout, interval: interval) { try await condition() ? true : nil } ?? false
}

/// Runs `body` with a deadline; throws ``TimedOut`` if it has not finished by then (and cancels it).
func withDeadline<T: Sendable>(_ limit: Duration, _ what: String,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what, limit: limit) }
        return value
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var limit: Duration
    var description: String { "\(what) did not finish within \(limit)" }
}
