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
    let cache: LRUCache<Double>
    let logger: Logger
    /// Judge calls under way, by cache key (see ``InFlight``).
    let inFlight = InFlight()

    /// Judge calls under way, so that concurrent requests for one query wait for the same call.
    final class InFlight: Sendable {
        typealias Call = Task<Result<(Double, JudgeReply), JudgeError>, Never>
        let calls = Mutex<[String: Call]>([:])
    }

    init(client: JudgeClient, settings: JudgeStepConfig, store: Store, logger: Logger) {
        self.client = client
        self.settings = settings
        self.store = store
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
    /// the call (nil for a cached rating or one shared with a concurrent request), so its cost can
    /// be charged to the request that caused it.
    /// - Throws: ``JudgeError`` when the judge timed out, failed, or gave no rating.
    func score(_ query: String, requestID: String) async throws(JudgeError) -> (score: Double, source: Source, reply: JudgeReply?) {
        let k = key(query)
        if let s = cache.get(k) { return (s, .memory, nil) }
        if let s = try? store.judgeDecision(key: k) {
            cache.set(k, s)
            return (s, .store, nil)
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
        let result = await call.value
        guard leader else { return (try result.get().0, .memory, nil) }
        // Cached before the call leaves the table, so no request in between calls the judge again.
        if case .success(let (s, _)) = result { cache.set(k, s) }
        inFlight.calls.withLock { $0[k] = nil }
        let (s, reply) = try result.get()
        do { try store.saveJudgeDecision(key: k, score: s, model: client.config.model) } catch {
            logger.warning("judge decision not stored", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
        logger.debug("judge rated", metadata: ["triage.request": "\(requestID)", "score": "\(s)",
                                               "ms": "\(reply.latency.milliseconds.fixed(1))",
                                               "triage.cost_usd": "\(reply.cost)"])
        return (s, .judge, reply)
    }
}
