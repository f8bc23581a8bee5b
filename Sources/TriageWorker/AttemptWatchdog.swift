import Synchronization
import TriageCore
import TriageUpstream

/// Watches one upstream attempt against its time limits: time to first byte, time to first
/// token, stream idle. The attempt reports progress; the watchdog names the limit that fired,
/// and the runner cancels the attempt and reports that failure kind.
final class AttemptWatchdog: AttemptProgress, Sendable {
    enum Phase: Sendable {
        case waitingForResponse, waitingForToken, streaming, finished
    }

    private struct State {
        var phase = Phase.waitingForResponse
        var started: ContinuousClock.Instant
        var lastActivity: ContinuousClock.Instant
        var fired: AttemptFailure.Kind?
        var providerRequestID: String?
    }

    private let limits: AttemptLimits
    private let stream: Bool
    private let state: Mutex<State>
    /// After a finish reason, how long to wait for the rest (usage, `[DONE]`) before ending anyway.
    static let afterFinish = Duration.seconds(1)

    init(limits: AttemptLimits, stream: Bool) {
        self.limits = limits
        self.stream = stream
        let now = ContinuousClock.now
        self.state = Mutex(State(started: now, lastActivity: now))
    }

    func responseStarted(headers: [String: String]) {
        let id = Self.providerRequestID(headers)
        state.withLock {
            $0.providerRequestID = id
            $0.lastActivity = .now
            if $0.phase == .waitingForResponse { $0.phase = stream ? .waitingForToken : .streaming }
        }
    }

    func bytesReceived() {
        state.withLock { $0.lastActivity = .now }
    }

    /// The provider's id for the attempt, from its response headers (OpenAI's and vLLM's
    /// `x-request-id`, Anthropic's `request-id`): what its support asks for about one call.
    var providerRequestID: String? { state.withLock { $0.providerRequestID } }

    /// The id a provider's response headers give the call, at most 128 characters.
    static func providerRequestID(_ headers: [String: String]) -> String? {
        guard let id = headers["x-request-id"] ?? headers["request-id"], !id.isEmpty else { return nil }
        return String(id.prefix(128))
    }

    /// A content token reached the runner.
    func tokenReceived() {
        state.withLock {
            $0.lastActivity = .now
            if $0.phase == .waitingForToken { $0.phase = .streaming }
        }
    }

    /// The answer finished (a finish reason): only a short wait for its tail remains.
    func answerFinished() {
        state.withLock {
            $0.phase = .finished
            $0.lastActivity = .now
        }
    }

    /// The limit that fired, if any.
    var fired: AttemptFailure.Kind? { state.withLock { $0.fired } }

    /// Checks the limits now; returns the failure kind once one is exceeded.
    func check(now: ContinuousClock.Instant = .now) -> AttemptFailure.Kind? {
        state.withLock { s in
            if let f = s.fired { return f }
            let sinceStart = s.started.duration(to: now)
            let idle = s.lastActivity.duration(to: now)
            var kind: AttemptFailure.Kind?
            if now >= limits.deadline || sinceStart >= limits.total {
                kind = .timeout
            } else {
                switch s.phase {
                case .waitingForResponse where sinceStart >= limits.firstByte: kind = .firstByteTimeout
                case .waitingForToken where sinceStart >= limits.firstToken: kind = .firstTokenTimeout
                case .streaming where stream && idle >= limits.streamIdle: kind = .streamStalled
                case .finished where idle >= Self.afterFinish: kind = .cancelled  // done: stop waiting for the tail
                default: break
                }
            }
            s.fired = kind
            return kind
        }
    }

    /// Runs `attempt`, cancelling it when a limit fires (checked by `ticker`, every 50 ms).
    func guarding<T: Sendable>(ticker: WatchdogTicker = .shared, _ attempt: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await attempt() }
            group.addTask {
                await ticker.fired(self)
                return nil
            }
            var result: T?
            while let r = await group.next() {
                if let r {
                    result = r
                    group.cancelAll()
                } else if result == nil {
                    group.cancelAll()  // the watchdog fired (or was stopped): cancel the attempt, wait for its result
                }
            }
            return result!
        }
    }
}
