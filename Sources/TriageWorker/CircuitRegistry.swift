import Foundation
import Logging
import Synchronization
import TriageCore
import TriageStore

/// The circuit breakers of every `provider/model`, shared by all workers through the store and
/// read through a short cache. A closed circuit costs no store access on the request path;
/// only admissions to open or half-open circuits, and changes of state, write.
final class CircuitRegistry: Sendable {
    private let store: Store
    private let policy: CircuitPolicy
    private let logger: Logger
    private let cacheTTL: Duration
    private let cache = Mutex<(breakers: [String: CircuitBreaker], at: ContinuousClock.Instant?)>(([:], nil))

    /// The connection the cache is refreshed from (see ``BudgetGuard/reads``).
    private let reads: Store

    init(store: Store, reads: Store? = nil, policy: CircuitPolicy, logger: Logger, cacheTTL: Duration = .milliseconds(250)) {
        self.store = store
        self.reads = reads ?? store
        self.policy = policy
        self.logger = logger
        self.cacheTTL = cacheTTL
    }

    static func key(_ tier: TierConfig) -> String { CircuitBreaker.key(provider: tier.provider, model: tier.model) }

    /// Indexes of the tiers whose circuit does not take requests now.
    func openTiers(_ tiers: [TierConfig]) -> Set<Int> {
        let breakers = current()
        let now = Date()
        return Set(tiers.indices.filter { i in breakers[Self.key(tiers[i])].map { !$0.isAvailable(now: now, policy: policy) } ?? false })
    }

    /// Whether an attempt on this tier may go now (an open circuit admits one probe after its cool-down).
    /// A closed circuit answers from the cache; the others update the store off the event loop.
    func admit(_ tier: TierConfig) async -> Bool {
        let key = Self.key(tier)
        guard let cached = current()[key], cached.state != .closed else { return true }
        let (store, policy) = (self.store, self.policy)
        let (stored, admission) = await offEventLoop { () -> (String?, CircuitBreaker.Admission) in
            var admission = CircuitBreaker.Admission.allow
            let stored = try? store.updateCircuit(key: key) { json in
                var b = Self.decode(json) ?? CircuitBreaker()
                admission = b.admit(now: Date(), policy: policy)
                return Self.encode(b)
            }
            return (stored, admission)
        }
        remember(key, stored)
        if case .reject = admission { return false }
        return true
    }

    /// Records an attempt's effect on its model's breaker (a success on a closed circuit costs
    /// nothing; the rest updates the store off the event loop).
    func record(_ tier: TierConfig, _ effect: CircuitEffect) async {
        guard effect != .neutral else { return }
        let key = Self.key(tier)
        let cached = current()[key]
        if effect == .success, cached == nil || (cached?.state == .closed && cached?.consecutiveFailures == 0) { return }
        let (store, policy) = (self.store, self.policy)
        let (stored, before, after) = await offEventLoop { () -> (String?, CircuitBreaker.State, CircuitBreaker.State) in
            var before: CircuitBreaker.State = .closed
            var after: CircuitBreaker.State = .closed
            let stored = try? store.updateCircuit(key: key) { json in
                var b = Self.decode(json) ?? CircuitBreaker()
                before = b.state
                b.record(effect, now: Date(), policy: policy)
                after = b.state
                return Self.encode(b)
            }
            return (stored, before, after)
        }
        remember(key, stored)
        if before != after {
            let level: Logger.Level = after == .open ? (effect == .trip ? .error : .warning) : .info
            logger.log(level: level, "circuit \(after.rawValue)", metadata: ["triage.circuit": "\(key)", "from": "\(before.rawValue)",
                                                                          "cause": "\(effect == .trip ? "provider misconfigured (auth or unsupported)" : effect.rawValue)"])
        }
    }

    private func current() -> [String: CircuitBreaker] {
        let now = ContinuousClock.now
        if let snapshot = cache.withLock({ c in c.at.map { $0.duration(to: now) < cacheTTL } == true ? c.breakers : nil }) {
            return snapshot
        }
        let rows = (try? reads.circuitStates()) ?? [:]
        let breakers = rows.compactMapValues(Self.decode)
        cache.withLock { $0 = (breakers, now) }
        return breakers
    }

    private func remember(_ key: String, _ json: String?) {
        guard let b = Self.decode(json) else { return }
        cache.withLock { $0.breakers[key] = b }
    }

    static func decode(_ json: String?) -> CircuitBreaker? {
        json.flatMap { try? JSONDecoder().decode(CircuitBreaker.self, from: Data($0.utf8)) }
    }

    static func encode(_ b: CircuitBreaker) -> String {
        (try? String(decoding: JSONEncoder().encode(b), as: UTF8.self)) ?? "{}"
    }
}
