import Foundation

/// The circuit breaker of one model: a pure state machine, Codable so that it can be kept in
/// the store and shared by every worker of the host.
///
/// ```
///            failure × threshold                 cool-down passed: admit → .probe
///  closed ──────────────────────▶ open ──────────────────────────────────────▶ half-open
///    ▲  ▲                         ▲  ▲                                           │   │
///    │  └── success ─────────── (trip: 401/403, any state)                       │   │
///    │                               └──────────── probe failed ─────────────────┘   │
///    └───────────────────────────────────────────── probe succeeded ─────────────────┘
/// ```
///
/// Times are wall-clock `Date`s, passed in by the caller, because the state outlives a process
/// and is read by other processes of the host (a monotonic instant would not survive a reboot).
/// The key of a model's breaker is ``key(provider:model:)``.
public struct CircuitBreaker: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    /// What ``admit(now:policy:)`` decided for one request.
    public enum Admission: Sendable, Equatable {
        /// The circuit is closed: go ahead.
        case allow
        /// The circuit was open and has cooled down: this request is the probe.
        case probe
        /// The circuit is open (or another request holds the probe) until about this time.
        case reject(until: Date)
    }

    public private(set) var state: State
    /// Failures since the last success (closed state).
    public private(set) var consecutiveFailures: Int
    /// When the circuit last opened.
    public private(set) var openedAt: Date?
    /// When the current half-open probe was let through.
    public private(set) var probeStartedAt: Date?

    /// A closed circuit.
    public init() {
        state = .closed
        consecutiveFailures = 0
    }

    /// The store key of a model's breaker: `provider/model`.
    public static func key(provider: String, model: String) -> String { provider + "/" + model }

    /// Whether a request would be let through now (as the probe or normally), without claiming anything.
    public func isAvailable(now: Date, policy: CircuitPolicy) -> Bool {
        switch state {
        case .closed: true
        case .open: now >= cooledDownAt(policy)
        case .halfOpen: probeLost(now: now, policy: policy)
        }
    }

    /// Decides whether a request may call the model now; claims the probe when one is due.
    public mutating func admit(now: Date, policy: CircuitPolicy) -> Admission {
        switch state {
        case .closed:
            return .allow
        case .open:
            guard now >= cooledDownAt(policy) else { return .reject(until: cooledDownAt(policy)) }
            state = .halfOpen
            probeStartedAt = now
            return .probe
        case .halfOpen:
            guard probeLost(now: now, policy: policy) else {
                return .reject(until: (probeStartedAt ?? now).addingTimeInterval(policy.probeTimeout.inSeconds))
            }
            probeStartedAt = now
            return .probe
        }
    }

    /// Records the outcome of a call that ``admit(now:policy:)`` let through.
    public mutating func record(_ effect: CircuitEffect, now: Date, policy: CircuitPolicy) {
        switch effect {
        case .success:
            self = CircuitBreaker()
        case .trip:
            open(now)
        case .failure:
            switch state {
            case .closed:
                consecutiveFailures += 1
                if consecutiveFailures >= max(policy.failureThreshold, 1) { open(now) }
            case .halfOpen:
                open(now)
            case .open:
                break  // a call admitted before the circuit opened; the cool-down keeps its start
            }
        case .neutral:
            // A probe that proved nothing frees the probe slot for the next request.
            if state == .halfOpen { probeStartedAt = nil }
        }
    }

    private mutating func open(_ now: Date) {
        state = .open
        openedAt = now
        probeStartedAt = nil
        consecutiveFailures = max(consecutiveFailures, 1)
    }

    private func cooledDownAt(_ policy: CircuitPolicy) -> Date {
        (openedAt ?? .distantPast).addingTimeInterval(policy.coolDown.inSeconds)
    }

    private func probeLost(now: Date, policy: CircuitPolicy) -> Bool {
        guard let started = probeStartedAt else { return true }
        return now >= started.addingTimeInterval(policy.probeTimeout.inSeconds)
    }

    // MARK: Codable: snake_case keys, times as Unix seconds.

    private enum CodingKeys: String, CodingKey {
        case state
        case consecutiveFailures = "consecutive_failures"
        case openedAt = "opened_at"
        case probeStartedAt = "probe_started_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decode(State.self, forKey: .state)
        consecutiveFailures = try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0
        openedAt = try c.decodeIfPresent(Double.self, forKey: .openedAt).map(Date.init(timeIntervalSince1970:))
        probeStartedAt = try c.decodeIfPresent(Double.self, forKey: .probeStartedAt).map(Date.init(timeIntervalSince1970:))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encodeIfPresent(openedAt?.timeIntervalSince1970, forKey: .openedAt)
        try c.encodeIfPresent(probeStartedAt?.timeIntervalSince1970, forKey: .probeStartedAt)
    }
}
