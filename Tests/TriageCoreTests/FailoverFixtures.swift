import Foundation
import TriageCore

/// A random source that always returns the same bits: 0 gives no jitter, `.max` the most.
struct FixedRandom: RandomNumberGenerator, Sendable {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}

enum FailoverFixture {
    static let t0 = ContinuousClock.now

    /// `cheap`, `mid` and `top` on providers `a`, `a`, `b` unless told otherwise.
    static func tiers(windows: [Int?] = [nil, nil, nil], providers: [String] = ["a", "a", "b"]) -> [TierConfig] {
        zip(["cheap", "mid", "top"], zip(windows, providers)).enumerated().map { i, t in
            TierConfig(name: t.0, provider: t.1.1, model: "m\(i)", price: Price(inputPerMTok: 1, outputPerMTok: 1),
                       timeoutSeconds: 60, contextWindow: t.1.0)
        }
    }

    static func machine(_ policy: FailoverPolicy = FailoverPolicy(), tiers: [TierConfig] = tiers(), start: Int = 0,
                        tokens: Int = 100, jitterBits: UInt64 = 0) -> FailoverMachine {
        FailoverMachine(policy: policy, tiers: tiers, startTier: start, estimatedTokens: tokens, now: t0,
                        random: FixedRandom(value: jitterBits))
    }

    static func at(_ seconds: Double) -> ContinuousClock.Instant {
        t0 + .milliseconds(Int64(seconds * 1000))
    }

    static func fail(_ kind: AttemptFailure.Kind, status: Int? = nil, retryAfter: Double? = nil,
                     providerError: OpenAIErrorBody? = nil, delivered: Bool = false) -> AttemptOutcome {
        .failure(AttemptFailure(kind: kind, message: "test", status: status, retryAfter: retryAfter,
                                providerError: providerError, deliveredToClient: delivered))
    }

    static func http(_ status: Int, retryAfter: Double? = nil, code: String? = nil) -> AttemptOutcome {
        .failure(.http(status: status, message: "HTTP \(status)", retryAfter: retryAfter,
                       providerError: code.map { OpenAIErrorBody(message: "provider says \($0)", type: "invalid_request_error", code: $0) }))
    }
}
