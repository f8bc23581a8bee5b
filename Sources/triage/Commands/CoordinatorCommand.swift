import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TriageStore
import UnixSignals
import TriageCoordinator

/// `triage coordinator`: the HTTP front door alone, for compose or for workers run separately.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator alone: the OpenAI-compatible HTTP endpoint and the worker pool.",
        discussion: """
        Workers are found in the store (start them with `triage worker`). `triage up` runs a coordinator
        together with its workers; use this subcommand when workers run elsewhere on the host (compose).
        Example: triage coordinator --data-dir ./data --port 8080
        """)

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var log: LogOptions

    @Option(help: ArgumentHelp("HTTP port (overrides listen; 0 picks a free one).", valueName: "n"))
    var port: Int?

    @Option(help: ArgumentHelp("Write the bound HTTP port to this file once listening.", valueName: "path"))
    var portFile: String?

    func run() async throws {
        let config = try cluster.load(port: port)
        let logger = log.makeLogger("triage.coordinator")
        let store = try cluster.openStore(config)
        let inUse = try StoreUseLock(storePath: store.path)  // held while serving: `triage restore` waits for the stop
        defer { withExtendedLifetime(inUse) {} }
        let portFile = self.portFile.map(absolute)
        let options = cluster, port = self.port
        let coordinator = Coordinator(config: config, store: store, reload: { try options.load(port: port) }, logger: logger) { port in
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        let services: [any Service] = coordinator.services + [ReloadSignal(store: store, logger: logger)]
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        store.close()
    }
}
