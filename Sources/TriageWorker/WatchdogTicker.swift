import Synchronization

/// One clock for every running attempt's ``AttemptWatchdog``: a single task wakes every
/// `interval`, checks each watchdog registered, and wakes the waiter of any whose limit fired.
///
/// A per-attempt sleeping task would arm and cancel a timer of the concurrency runtime for
/// each request (two wake-ups of its timer thread per attempt); this costs one wake-up per
/// interval for the whole process, however many attempts run.
final class WatchdogTicker: Sendable {
    /// The process's ticker.
    static let shared = WatchdogTicker()

    private enum Entry {
        /// Registered, its continuation not yet.
        case pending
        case waiting(AttemptWatchdog, CheckedContinuation<Void, Never>)
        /// Cancelled before its continuation was registered.
        case cancelled
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var running = false
    }

    private let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .milliseconds(50)) {
        self.interval = interval
    }

    /// Returns when `watchdog` fires, or at once when the calling task is cancelled.
    func fired(_ watchdog: AttemptWatchdog) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            s.entries[s.nextID] = .pending
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if case .cancelled = s.entries[id] {
                        s.entries[id] = nil
                        return true
                    }
                    s.entries[id] = .waiting(watchdog, c)
                    if !s.running {
                        s.running = true
                        startClock()
                    }
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let waiting = state.withLock { s -> CheckedContinuation<Void, Never>? in
                switch s.entries[id] {
                case .waiting(_, let c):
                    s.entries[id] = nil
                    return c
                case .pending:
                    s.entries[id] = .cancelled
                    return nil
                case .cancelled, nil:  // nil: it fired, and the clock removed it
                    return nil
                }
            }
            waiting?.resume()
        }
    }

    /// Watchdogs registered (waiting, or about to), for tests.
    var registered: Int { state.withLock { $0.entries.count } }

    /// Checks every registered watchdog once; wakes those that fired.
    func tick(now: ContinuousClock.Instant = .now) {
        let due = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            var due: [CheckedContinuation<Void, Never>] = []
            for (id, entry) in s.entries {
                guard case .waiting(let watchdog, let c) = entry, watchdog.check(now: now) != nil else { continue }
                s.entries[id] = nil
                due.append(c)
            }
            return due
        }
        due.forEach { $0.resume() }
    }

    /// The clock task: runs while any watchdog is registered, and stops when none is left.
    private func startClock() {
        Task.detached { [interval] in
            while true {
                try? await Task.sleep(for: interval)
                self.tick()
                let stop = self.state.withLock { s -> Bool in
                    if s.entries.isEmpty {
                        s.running = false
                        return true
                    }
                    return false
                }
                if stop { return }
            }
        }
    }
}
