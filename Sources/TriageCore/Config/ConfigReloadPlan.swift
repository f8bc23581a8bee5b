/// What applying a changed configuration file to a running cluster does, worked out from the
/// configuration in use and the one just loaded (`triage reload`).
///
/// Workers take every change: they restart one at a time and read the file at start. The running
/// coordinator applies the tiers and the request limits at once; the rest of what it uses itself
/// (its address, auth, the worker settings, frame and stream limits, scheduled retraining) it
/// keeps until it restarts. Two changes cannot be applied by a reload at all: a new `data_dir` or
/// `run_dir` would start the workers on another store or socket directory, where this
/// coordinator would never find them.
public struct ConfigReloadPlan: Sendable, Equatable {
    /// The sections (and `limits` fields) that differ, in the file's order: `tiers`, `limits.max_body_bytes`.
    public var changed: [String]
    /// Of ``changed``, what the coordinator keeps until it restarts.
    public var needsCoordinatorRestart: [String]
    /// Of ``changed``, what refuses the whole reload.
    public var refused: [String]

    /// Nothing differs: no worker needs a restart.
    public var isEmpty: Bool { changed.isEmpty }

    public init(from old: TriageConfig, to new: TriageConfig) {
        var changed: [String] = []
        var restart: [String] = []
        var refused: [String] = []
        func note(_ name: String, _ differs: Bool, coordinatorRestart: Bool = false, refuse: Bool = false) {
            guard differs else { return }
            changed.append(name)
            if coordinatorRestart { restart.append(name) }
            if refuse { refused.append(name) }
        }
        note("listen", old.listen != new.listen, coordinatorRestart: true)
        note("data_dir", old.dataDir != new.dataDir, refuse: true)
        note("run_dir", old.runDir != new.runDir, refuse: true)
        // A simulated provider is a process of its own (`triage up`'s child, or a compose
        // service), started with the models of its tiers: it takes changes when it restarts.
        let sims = Set(old.providers.filter { $0.value.kind == .sim }.keys).union(new.providers.filter { $0.value.kind == .sim }.keys)
        for name in sims.sorted() where old.providers[name] != new.providers[name] {
            changed.append("providers.\(name)")
            restart.append("providers.\(name)")
        }
        note("providers", old.providers.filter { !sims.contains($0.key) } != new.providers.filter { !sims.contains($0.key) })
        note("tiers", old.tiers != new.tiers)
        note("aliases", old.aliases != new.aliases)
        note("classifier", old.classifier != new.classifier)
        note("limits.max_body_bytes", old.limits.maxBodyBytes != new.limits.maxBodyBytes)
        note("limits.max_frame_bytes", old.limits.maxFrameBytes != new.limits.maxFrameBytes, coordinatorRestart: true)
        note("limits.max_messages", old.limits.maxMessages != new.limits.maxMessages)
        note("limits.max_tokens", old.limits.maxTokens != new.limits.maxTokens)
        note("limits.max_stream_buffer_kb", old.limits.maxStreamBufferBytes != new.limits.maxStreamBufferBytes, coordinatorRestart: true)
        note("limits.slow_reader_grace_s", old.limits.slowReaderGraceSeconds != new.limits.slowReaderGraceSeconds, coordinatorRestart: true)
        note("workers", old.workers != new.workers, coordinatorRestart: true)
        note("shutdown_grace_s", old.shutdownGraceSeconds != new.shutdownGraceSeconds, coordinatorRestart: true)
        note("failover", old.failover != new.failover)
        note("auth", old.auth != new.auth, coordinatorRestart: true)
        note("budgets", old.budgets != new.budgets)
        note("privacy", old.privacy != new.privacy)
        note("shadow", old.shadow != new.shadow)
        note("retrain", old.retrain != new.retrain, coordinatorRestart: true)
        note("judge", old.judge != new.judge)
        self.changed = changed
        self.needsCoordinatorRestart = restart
        self.refused = refused
    }

    /// The coordinator's side of the change: `new`, with what the coordinator takes only at a
    /// restart (``needsCoordinatorRestart``'s settings, and the refused directories) kept as in `old`.
    public static func coordinatorConfig(_ old: TriageConfig, applying new: TriageConfig) -> TriageConfig {
        var applied = new
        applied.listen = old.listen
        applied.dataDir = old.dataDir
        applied.runDir = old.runDir
        applied.limits.maxFrameBytes = old.limits.maxFrameBytes
        applied.limits.maxStreamBufferBytes = old.limits.maxStreamBufferBytes
        applied.limits.slowReaderGraceSeconds = old.limits.slowReaderGraceSeconds
        applied.workers = old.workers
        applied.shutdownGraceSeconds = old.shutdownGraceSeconds
        applied.auth = old.auth
        applied.retrain = old.retrain
        return applied
    }
}
