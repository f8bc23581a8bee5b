import Logging
import TriageCore
import TriageStore

/// The judge classifier's I/O: asks the judge to rate a query's complexity (``ComplexityRubric``),
/// with the ratings cached by normalised query in memory (bounded LRU) and in the store, so a
/// query is sent to the judge once across every worker.
struct JudgeStep: Sendable {
    let client: JudgeClient
    let settings: JudgeStepConfig
    let store: Store
    let cache: LRUCache<Double>
    let logger: Logger

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

    /// The judge's score in [0, 1] for a query.
    /// - Throws: ``JudgeError`` when the judge timed out, failed, or gave no rating.
    func score(_ query: String, requestID: String) async throws(JudgeError) -> (score: Double, source: Source) {
        let k = key(query)
        if let s = cache.get(k) { return (s, .memory) }
        if let s = try? store.judgeDecision(key: k) {
            cache.set(k, s)
            return (s, .store)
        }
        let (s, reply) = try await client.rateComplexity(query)
        cache.set(k, s)
        do { try store.saveJudgeDecision(key: k, score: s, model: client.config.model) } catch {
            logger.warning("judge decision not stored", metadata: ["triage.request": "\(requestID)", "error": "\(error)"])
        }
        logger.debug("judge rated", metadata: ["triage.request": "\(requestID)", "score": "\(s)",
                                               "ms": "\(reply.latency.components.attoseconds / 1_000_000_000_000_000)",
                                               "triage.cost_usd": "\(reply.cost)"])
        return (s, .judge)
    }
}
