import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TriageCore
import TriageStore
import TriageUpstream
import TriageWire

/// A worker process: listens on a Unix socket for coordinators, registers itself in the
/// store, and serves each request with the fallback ladder.
///
/// On graceful shutdown it marks itself `draining` in the store, tells connected
/// coordinators (`drain`), lets in-flight requests finish within the grace period, then
/// closes and removes its registry row.
public final class WorkerService: Service, Sendable {
    let options: WorkerOptions
    let config: TriageConfig
    let store: Store
    let logger: Logger
    let runner: LadderRunner
    let budget: BudgetGuard
    let classifiers: ClassifierSource
    /// Shadow comparison across tiers (nil when `shadow` is off).
    let shadow: ShadowRunner?
    let inFlight: InFlightRequests
    private let http: CurlHTTPClient
    private let draining = Mutex(false)
    /// When this process started serving: its registry row keeps it across re-registrations, so
    /// a config reload knows which workers run an older file.
    private let startedAt = Date()
    /// Connected coordinators (see `CoordinatorConnection.swift`).
    let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// - Parameters:
    ///   - options: id, socket path and parent pid.
    ///   - config: the cluster configuration.
    ///   - store: the shared store.
    ///   - writer: the hot path's writes (reservations, ledger): a second connection on its own thread.
    ///   - requestLog: the request log's rows: a writer of the log's own file
    ///     (``Store/requestLogPath(forStore:)``).
    ///   - reads: the hot path's reads (team, budget position, policies, circuits, judge decisions): a
    ///     connection no write uses, so they never wait behind a write blocked by another process's
    ///     lock (requests are served on event loops); `store` when nil.
    ///   - environment: where provider API keys are read from.
    ///   - logger: the worker's logger.
    public init(options: WorkerOptions, config: TriageConfig, store: Store, writer: StoreWriter, requestLog: StoreWriter,
                reads: Store? = nil,
                environment: [String: String], logger: Logger) {
        self.options = options
        self.config = config
        self.store = store
        self.logger = logger
        let http = CurlHTTPClient(logger: logger)
        self.http = http
        let reads = reads ?? store
        let inFlight = InFlightRequests()
        self.inFlight = inFlight
        var budget = BudgetGuard(store: store, writer: writer, requestLog: requestLog, config: config.budgets, now: { Date() }, pid: getpid(),
                                 host: ProcessInfo.processInfo.hostName, reads: reads)
        // A request with at most one other in flight commits its budget writes on its event loop;
        // with more company, writes are batched on the writer thread (see StoreWriter).
        budget.inlineWrites = { inFlight.count <= 2 }
        budget.statusCache = BudgetStatusCache(maxAge: Double(config.budgets.statusCacheMs) / 1000)
        if config.budgets.leaseAttempts > 0 {
            // Lease rows are told apart by their key: this process's, and fresh for every lease.
            let prefix = "lease:\(budget.host):\(budget.pid):"
            budget.leases = BudgetGuard.Leases(LeaseBook(attempts: config.budgets.leaseAttempts, window: config.leaseWindowSeconds) {
                prefix + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            })
        }
        budget.journal = Self.openJournal(store: store, owner: "\(budget.host)-\(budget.pid)", logger: logger)
        self.budget = budget
        let classifiers = ClassifierSource(store: store, reads: reads, config: config, http: http, environment: environment, logger: logger)
        self.classifiers = classifiers
        let providers = ProviderSet(config: config, http: http, environment: environment)
        let judge = config.judge.map { JudgeClient(judge: $0, triage: config, providers: providers) }
        let shadow = judge.flatMap { j in
            config.shadow.enabled ? ShadowRunner(config: config, judge: j, providers: providers, store: store, logger: logger) : nil
        }
        self.shadow = shadow
        self.runner = LadderRunner(config: config, classifiers: classifiers,
                                   providers: providers,
                                   store: store, budget: budget,
                                   circuits: CircuitRegistry(store: store, reads: reads, policy: config.failover.circuit, logger: logger),
                                   quality: QualityChecker(),
                                   workerID: options.id, logger: logger, shadow: shadow, judge: judge)
    }

    /// The worker's settlement journal beside the store file; none (every settlement commits
    /// before its answer) for a store without a file, or when the directory cannot be written.
    private static func openJournal(store: Store, owner: String, logger: Logger) -> SettlementJournal? {
        guard FileManager.default.fileExists(atPath: store.path) else { return nil }
        do {
            return try SettlementJournal(storePath: store.path, owner: owner)
        } catch {
            logger.warning("no settlement journal: answers wait for their settlement to commit", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func run() async throws {
        let dir = (options.socketPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let maxFrame = config.limits.maxFrameBytes
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: options.socketPath, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: maxFrame)
                    try channel.pipeline.syncOperations.addHandler(CoordinatorConnectionHandler(service: self, channel: channel))
                    return channel
                }
            }
        chmod(options.socketPath, 0o600)
        try register(state: .ready)
        logger.info("worker listening", metadata: ["triage.worker": "\(options.id)", "socket": "\(options.socketPath)"])

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.heartbeat(server: server.channel) }
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { try? await connection.closeFuture.get() }
                    }
                }
                // The accept loop ended: close every coordinator connection so the group ends.
                self.closeConnections()
            }
        } onGracefulShutdown: {
            self.draining.withLock { $0 = true }
        }
        // Requests cancelled when the grace ran out still settle what they spent: give them a
        // moment before the writer's last flush (the store is closed after this returns).
        let settleBy = ContinuousClock.now + .seconds(1)
        while inFlight.count > 0, ContinuousClock.now < settleBy, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await budget.returnLeases(all: true)
        await budget.writer.flush()
        budget.journal?.close()
        await budget.requestLog.flush()
        await shadow?.shutdown()  // cancels running comparisons (verdict `unknown`) before the HTTP client goes
        _ = try? store.removeWorker(id: options.id)
        http.shutdown()
        logger.info("worker stopped", metadata: ["triage.worker": "\(options.id)"])
    }

    /// Drains as on SIGTERM, then returns from ``run()`` so the process exits and is started again
    /// (by `triage up`'s supervisor, or the container's restart policy) on the configuration file as
    /// it is now: a coordinator asks for this during a config reload.
    func restart(reason: String) {
        logger.info("restarting", metadata: ["triage.worker": "\(options.id)", "reason": "\(reason)"])
        draining.withLock { $0 = true }
    }

    private func register(state: WorkerRecord.State) throws {
        let now = Date()
        try store.registerWorker(WorkerRecord(id: options.id, pid: getpid(), host: ProcessInfo.processInfo.hostName,
                                              socketPath: options.socketPath, capacity: config.workers.capacity,
                                              state: state, startedAt: startedAt, heartbeatAt: now))
    }

    /// Heartbeats into the store, watches the parent process, and runs the drain.
    private func heartbeat(server: any Channel) async {
        let interval = Duration.milliseconds(Int64(config.workers.heartbeatSeconds * 1000))
        var drainStarted: ContinuousClock.Instant?
        var beats = 0
        var lastBeat = ContinuousClock.now - interval
        while server.isActive {
            try? await Task.sleep(for: min(interval, .milliseconds(100)) )
            if let parent = options.parentPID, getppid() != parent {
                logger.warning("parent process is gone; worker exits", metadata: ["triage.worker": "\(options.id)"])
                _ = try? store.removeWorker(id: options.id)
                exit(0)
            }
            if draining.withLock({ $0 }) {
                if drainStarted == nil {
                    drainStarted = .now
                    logger.info("draining", metadata: ["triage.worker": "\(options.id)", "in_flight": "\(inFlight.count)"])
                    _ = try? store.setWorkerState(id: options.id, state: .draining)
                    await broadcast(.drain(reason: "worker is stopping"))
                }
                let grace = Duration.milliseconds(Int64(config.shutdownGraceSeconds * 1000))
                if inFlight.count == 0 || drainStarted!.duration(to: .now) > grace {
                    try? await server.close()
                    return
                }
                continue
            }
            await budget.returnLeases()  // those idle for a second
            guard lastBeat.duration(to: .now) >= interval else { continue }
            lastBeat = .now
            beats += 1
            classifiers.refresh()
            if beats % 10 == 1 {
                let (n, replayed) = budget.reclaim()
                if n > 0 { logger.info("reclaimed reservations", metadata: ["count": "\(n)"]) }
                if replayed > 0 { logger.warning("charged settlements a worker that is gone answered and never committed", metadata: ["count": "\(replayed)"]) }
            }
            do {
                if try !store.heartbeatWorker(id: options.id, at: Date()) { try register(state: .ready) }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func broadcast(_ message: WireMessage) async {
        let channels = connections.withLock { Array($0.values) }
        for c in channels { try? await c.writeAndFlush(message) }
    }

    private func closeConnections() {
        let channels = connections.withLock { c in
            defer { c.removeAll() }
            return Array(c.values)
        }
        channels.forEach { $0.close(promise: nil) }
    }
}
