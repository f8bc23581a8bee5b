import Logging
import Synchronization
import TriageCore
import TriageStore
import TriageUpstream

/// The classifier a worker routes with. With `classifier.kind: learned` it is the active model
/// version in the store, reloaded when another version is installed (no restart); until one is
/// installed, or if it cannot be read, the rule classifier stands in.
final class ClassifierSource: Sendable {
    let store: Store
    /// The request path's reads (team policies, judge decisions; see ``BudgetGuard/reads``).
    let reads: Store
    private let kind: String
    private let rules: RuleClassifier
    let logger: Logger
    private let state: Mutex<(classifier: any Classifier, label: String, version: Int64?)>
    /// The judge step (`classifier.judge`, or `kind: judge`), when configured.
    let judge: JudgeStep?
    let ladder: Ladder
    /// Team routing policies, read at most every two seconds per team.
    let policies = Mutex<[Int64: (policy: TeamRoutingPolicy, read: ContinuousClock.Instant)]>([:])
    /// Team policies whose `max_tier` names no configured tier, already warned about (`team/tier`).
    let warnedStaleCaps = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - judge: the judge client, used when `config.judge` is set.
    init(store: Store, reads: Store? = nil, config: ClassifierConfig, ladder: Ladder, judge: JudgeClient?, logger: Logger) {
        self.store = store
        self.reads = reads ?? store
        self.kind = config.kind
        self.rules = RuleClassifier(settings: config.rules)
        self.logger = logger
        self.state = Mutex((rules, "rules", nil))
        self.ladder = ladder
        if let judge, let step = config.judge {
            self.judge = JudgeStep(client: judge, settings: step, store: store, reads: reads ?? store, logger: logger)
        } else {
            self.judge = nil
        }
        refresh()
    }

    /// A source for a worker: the judge client is built from the config's `judge` section.
    convenience init(store: Store, reads: Store? = nil, config: TriageConfig, http: CurlHTTPClient, environment: [String: String], logger: Logger) {
        let judge = config.judge.map { JudgeClient(judge: $0, triage: config, http: http, environment: environment) }
        self.init(store: store, reads: reads, config: config.classifier, ladder: config.ladder, judge: judge, logger: logger)
    }

    /// The classifier to use now, and its label (`rules`, `learned:v3`).
    var current: (classifier: any Classifier, label: String) {
        state.withLock { ($0.classifier, $0.label) }
    }

    /// Loads the active model version if it changed (cheap when it did not: one indexed read).
    func refresh() {
        guard kind == "learned" else { return }
        let active: Int64?
        do { active = try store.activeClassifierVersion() } catch {
            logger.warning("classifier lookup failed", metadata: ["error": "\(error)"])
            return
        }
        guard active != state.withLock({ $0.version }) else { return }
        guard let version = active else {
            state.withLock { $0 = (rules, "rules (no learned model installed)", nil) }
            return
        }
        do {
            guard let bytes = try store.classifierModel(version: version) else { return }
            let file = try ModelFile.decode(bytes)
            state.withLock { $0 = (LearnedClassifier(file), "learned:v\(version)", version) }
            logger.info("classifier loaded", metadata: ["triage.classifier": "learned:v\(version)", "name": "\(file.name)"])
        } catch {
            logger.error("could not load classifier version; keeping the previous one", metadata: ["version": "\(version)", "error": "\(error)"])
            state.withLock { $0.version = version }  // do not retry a broken version on every poll
        }
    }
}
