import Hummingbird
import Logging
import ServiceLifecycle

/// The simulated OpenAI-compatible provider as a swift-service-lifecycle `Service`.
///
/// ```swift
/// let sim = SimServer(config: SimConfig(port: 0, models: ["gpt-4o-mini"]), logger: logger) { port in
///     print("sim listening on \(port)")
/// }
/// try await ServiceGroup(services: [sim], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public struct SimServer: Service {
    /// The configuration the server runs with.
    public let config: SimConfig
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// Creates the server; nothing is read or bound until ``run()``.
    /// - Parameters:
    ///   - config: Models, behaviours, replay file and bind address (`port` may be 0).
    ///   - logger: Logger for the server.
    ///   - onListening: Called with the actually bound port once the server listens.
    public init(config: SimConfig, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.config = config
        self.logger = logger
        self.onListening = onListening
    }

    /// Loads the replay file, binds and serves until graceful shutdown.
    /// - Throws: ``SimError`` if the replay file cannot be read or parsed, or the server's bind error.
    public func run() async throws {
        let logger = self.logger
        let onListening = self.onListening
        let app = try buildSimApplication(config: self.config, logger: logger) { port in
            logger.info("sim listening", metadata: ["sim.port": "\(port)"])
            onListening(port)
        }
        try await app.run()
    }
}
