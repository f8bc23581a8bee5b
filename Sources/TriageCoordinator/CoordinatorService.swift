import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TriageCore
import TriageStore

/// The coordinator: the HTTP front door and the worker pool.
///
/// Run its ``services`` in one `ServiceGroup`: on SIGTERM the HTTP server stops accepting
/// and finishes its in-flight requests first, then the pool closes its worker connections.
public struct Coordinator: Sendable {
    let config: TriageConfig
    /// What the routes serve by; a config reload replaces it.
    let live: LiveConfig
    /// Loads the config file again for a reload; nil: reloads are not taken up.
    let reload: (@Sendable () throws -> TriageConfig)?
    let pool: WorkerPool
    let logger: Logger
    let store: Store
    let reads: Store
    let environment: [String: String]
    let metrics: TriageMetrics
    let onListening: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - config: the cluster configuration.
    ///   - store: the shared store (workers are found in it).
    ///   - logger: the coordinator's logger.
    ///   - onListening: called with the bound HTTP port (the configured one may be 0).
    ///   - environment: where the admin key is read from (`auth.admin_key_env`), and
    ///     `TRIAGE_METRICS_AUTH` (`admin` puts `/metrics` behind the admin key; default open).
    ///   - metrics: where request metrics go; default this process's registry, bootstrapped
    ///     into `MetricsSystem` on first use.
    ///   - reload: loads the config file again (as at start) when `triage reload` asks for it;
    ///     nil leaves reload requests to another coordinator.
    public init(config: TriageConfig, store: Store, environment: [String: String] = ProcessInfo.processInfo.environment,
                metrics: TriageMetrics = .processWide, reload: (@Sendable () throws -> TriageConfig)? = nil,
                logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.metrics = metrics
        self.config = config
        self.live = LiveConfig(config)
        self.reload = reload
        self.store = store
        self.environment = environment
        // Reads the chat path and worker discovery make, on a connection of their own that no
        // write holds: an admin or retrain write waiting for another process's lock holds the
        // shared connection, and would stall the event loop (key lookups) and the pings.
        let reads: Store
        do {
            reads = try Store(path: store.path)
        } catch {
            // Still serves, but key lookups and discovery can stall behind writes again: say so.
            logger.warning("cannot open a separate read connection to the store; key lookups and worker discovery share the main connection and may wait behind writes",
                           metadata: ["triage.store": "\(store.path)", "error": "\(error)"])
            reads = store
        }
        self.reads = reads
        self.pool = WorkerPool(store: reads, config: config, logger: logger)
        self.logger = logger
        self.onListening = onListening
    }

    /// The services to run, in start order.
    public var services: [any Service] {
        var list: [any Service] = [PoolService(pool: pool), LoopPinnedService(inner: application())]
        if let schedule = config.retrain { list.append(RetrainService(schedule: schedule, store: store, logger: logger)) }
        if let reload { list.append(ConfigReloadService(store: store, live: live, pool: pool, load: reload, logger: logger)) }
        return list
    }

    func application() -> some ApplicationProtocol {
        let router = Router(context: TriageRequestContext.self)
        let authenticator = Authenticator(store: reads, config: config.auth)  // on the event loop: `reads`
        let feedback = FeedbackRoute(store: store, auth: authenticator, live: live)
        let chat = ChatCompletionsRoute(pool: pool, live: live,
                                        auth: authenticator, logger: logger, metrics: metrics)
        let guardian = AdminGuard(config: config.auth, environment: environment)
        // Everything but the chat path may wait on the store: off the loop.
        let offLoop = router.group().add(middleware: OffEventLoopMiddleware())
        AdminRoutes(admin: TeamAdmin(store: store, actor: "admin-api"), live: live, guardian: guardian).register(on: offLoop)
        let metricsRoute = MetricsRoute(metrics: metrics, store: store, pool: pool, live: live,
                                        guardian: environment["TRIAGE_METRICS_AUTH"] == "admin" ? guardian : nil)
        let dashboard = DashboardRoute(store: store, pool: pool, live: live, guardian: guardian)
        offLoop.get("/metrics") { request, _ in metricsRoute.handle(request) }
        offLoop.get("/dashboard") { request, _ in dashboard.handle(request) }
        let info = InfoRoutes(pool: pool, live: live, auth: authenticator, store: store)
        router.post("/v1/chat/completions") { request, context in await chat.handle(request, context: context) }
        offLoop.post("/v1/feedback") { request, _ in await feedback.handle(request) }
        // The models endpoints read the caller's team policy: off the loop.
        offLoop.get("/v1/models") { request, _ in info.models(request) }
        offLoop.get("/v1/models/**") { request, context in info.model(context.parameters[Parameters.recursiveCaptureKey] ?? "", request) }
        router.get("/healthz") { _, _ in info.health() }
        router.get("/readyz") { _, _ in info.ready() }
        // Last: it wraps only what no route above matched.
        router.add(middleware: UnmatchedRouteMiddleware(served: [
            "/v1/chat/completions": [.post], "/v1/feedback": [.post], "/v1/models": [.get],
            "/healthz": [.get], "/readyz": [.get], "/metrics": [.get], "/dashboard": [.get],
        ]))
        let onListening = self.onListening
        let logger = self.logger
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ParserErrorResponder()])),  // OpenAI-shaped 431/400 for refused heads
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "triage"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("coordinator listening", metadata: ["url": "http://\(channel.localAddress?.ipAddress ?? "?"):\(port)"])
                onListening(port)
            },
            eventLoopGroupProvider: .shared(CoordinatorLoop.group),
            logger: logger)
    }
}

/// Runs the worker pool until graceful shutdown.
struct PoolService: Service {
    let pool: WorkerPool

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await pool.run()
        }
    }
}
