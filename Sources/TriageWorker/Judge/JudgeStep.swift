import Logging
import Synchronization
import TriageCore
import TriageStore

/// The judge classifier's I/O: asks the judge to rate a query's complexity (``ComplexityRubric``),
/// with the ratings cached by normalised query in memory (bounded LRU) and in the store, so a
/// query is sent to the judge once across every worker. Concurrent requests for the same query in
/// one worker share a single judge call.
struct JudgeStep: Sendable {
    let client: JudgeClient
    let settings: JudgeStepConfig
    let store: Store
    /// Where cached decisions are read (see ``BudgetGuard/reads``).
    let reads: Store
    let cache: LRUCache<Double>
    let logger: Logger
    /// Judge calls under way, by cache key (see ``InFlight``).
    let inFlight = InFlight()

    /// Judge calls under way, so that concurrent requests for one query wait for the same call.
    final class InFlight: Sendable {
        typealias Call = Task<Result<(Double, JudgeReply), JudgeError>, Never>
        let calls = Mutex<[String: Call]>([:])
    }

    init(client: JudgeClient, settings: JudgeStepConfig, store: Store, reads: Store? = nil, logger: Logger) {
        self.client = client
        self.settings = settings
        self.store = store
        self.reads = reads ?? store
        self.cache = LRUCache(capacity: settings.cacheSize)
        self.logger = logger
    }

    /// Where a score came from.
    enum Source: String, Sendable { case judge, memory, store }

    /// The cache key of a query: the rubric version, the judge model and the normalised query.
    func key(_ query: String) -> String {
        let normalised = query.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return SHA256.hex(ComplexityRubric.version + "\n" + client.config.model + "\n" + normalised)
    }

    /// The judge's score in [0, 1] for a query, and the judge call's reply when this request made
    /// the call (nil for a cached rating or one shared with a concurrent request). The request
    /// that makes the call pays for it from `budget`: its worst case is reserved before the call
    /// and the call is charged (`routing_judge`) whenever the provider answers, with a rating or
    /// without one; the reservation is released only when there was no answer.
    /// - Parameter budget: the budget of the request's caller.
    /// - Throws: ``JudgeError`` when the judge timed out, failed, or gave no rating, `.unaffordable`
    ///   when the call was needed and the team cannot afford it. An answer without a rating that
    ///   this request paid for comes with its bill (``JudgeError/billed``), so the request's cost
    ///   includes it.
    func score(_ query: String, requestID: String, budget: JudgeBudget) async throws(JudgeError) -> (score: Double, source: Source, reply: JudgeReply?) {
        let k = key(query)
        if let s = cache.get(k) { return (s, .memory, nil) }
        if let s = try? reads.judgeDecision(key: k) {
            cache.set(k, s)
            return (s, .store, nil)
        }
        // A call already under way for this query is shared at no charge.
        if let running = inFlight.calls.withLock({ $0[k] }) { return (try await Self.shared(running), .memory, nil) }
        guard let hold = await budget.reserve(client.costOfRating(query), tier: "judge") else { throw .unaffordable }
        // A concurrent request's call may have answered while this one reserved.
        if let s = cache.get(k) {
            await budget.release(hold)
            return (s, .memory, nil)
        }
        let client = self.client
        let (call, leader) = inFlight.calls.withLock { calls -> (InFlight.Call, Bool) in
            if let running = calls[k] { return (running, false) }
            let call = InFlight.Call {
                do throws(JudgeError) { return .success(try await client.rateComplexity(query)) } catch { return .failure(error) }
            }
            calls[k] = call
            return (call, true)
        }
        guard leader else {
            // Another request started the call while this one reserved: share it, release the reservation.
            await budget.release(hold)
            return (try await Self.shared(call), .memory, nil)
        }
        let result = await call.value
        // Cached before the call leaves the table, so no request in between calls the judge again.
        if case .success(let (s, _)) = result { cache.set(k, s) }
        inFlight.calls.withLock { $0[k] = nil }
        switch result {
        case .success(let (_, reply)): await budget.settle(hold, reply, outcome: "routing_judge")
        case .failure(let error):
            // An answer without a rating was billed all the same; only no answer costs nothing.
            await budget.close(hold, failure: error, outcome: "routing_judge")
        }
        let (s, reply) = try result.get()
        let (store, logger, model) = (self.store, self.logger, client.config.model)
        await offEventLoop {  // a write that may wait for the store's lock: not on the request's event loop
            do { try store.saveJudgeDecision(key: k, score: s, model: model) } catch {
                logger.warning("judge decision not stored", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
            }
        }
        logger.debug("judge rated", metadata: ["triage.request": "\(requestID)", "score": "\(s)",
                                               "ms": "\(reply.latency.milliseconds.fixed(1))",
                                               "triage.cost_usd": "\(reply.cost)"])
        return (s, .judge, reply)
    }

    /// The score of a call another request made and paid for (a failure without its bill).
    private static func shared(_ call: InFlight.Call) async throws(JudgeError) -> Double {
        switch await call.value {
        case .success(let (s, _)): return s
        case .failure(let error): throw error.unbilled
        }
    }
}
