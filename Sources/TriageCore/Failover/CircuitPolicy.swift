/// When a model's circuit opens and how it recovers (the config's `failover.circuit`).
public struct CircuitPolicy: Sendable, Equatable {
    /// Consecutive failures that open the circuit.
    public var failureThreshold: Int
    /// How long an open circuit turns requests away before one request probes the model.
    public var coolDown: Duration
    /// A probe that has not reported back after this long is presumed lost; another may go.
    public var probeTimeout: Duration

    /// - Parameters:
    ///   - failureThreshold: Consecutive failures that open the circuit (5).
    ///   - coolDown: Time before a probe (5 s).
    ///   - probeTimeout: Time after which a silent probe is replaced (30 s).
    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(5), probeTimeout: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        self.probeTimeout = probeTimeout
    }
}
