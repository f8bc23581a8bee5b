/// What one upstream attempt came to, as the worker reports it to ``FailoverMachine/next(after:now:)``.
public enum AttemptOutcome: Sendable, Equatable {
    /// The answer was complete (a finish reason or `[DONE]`) and has been delivered.
    case success
    /// The attempt failed; ``AttemptFailure/deliveredToClient`` says whether part of it reached the client.
    case failure(AttemptFailure)
    /// The tier's circuit breaker refused the attempt (another request holds the half-open probe):
    /// no call was made.
    case circuitOpen
}

/// What an attempt's outcome does to its model's ``CircuitBreaker``.
public enum CircuitEffect: String, Sendable, Equatable, Codable {
    /// The model answered: close the circuit.
    case success
    /// The model failed in a way that suggests it is unwell: count towards opening.
    case failure
    /// The model or its provider cannot work as configured (401/403, unsupported): open at once.
    case trip
    /// Says nothing about the model's health (the request was at fault, or the client left).
    case neutral
}

extension AttemptFailure {
    /// How this failure counts for its model's circuit breaker.
    public var circuitEffect: CircuitEffect {
        switch kind {
        case .connect, .timeout, .reset, .rateLimited, .serverError, .malformed,
             .firstByteTimeout, .firstTokenTimeout, .streamStalled, .streamCut:
            .failure
        case .authError, .unsupported:
            .trip
        case .clientError, .contextLengthExceeded, .contentFilter, .cancelled, .lowQuality:
            .neutral
        }
    }
}

extension AttemptOutcome {
    /// How this outcome counts for the attempted model's circuit breaker.
    public var circuitEffect: CircuitEffect {
        switch self {
        case .success: .success
        case .failure(let f): f.circuitEffect
        case .circuitOpen: .neutral
        }
    }
}
