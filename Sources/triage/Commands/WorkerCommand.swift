import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TriageStore
import UnixSignals
import TriageCore
import TriageWorker

/// `triage worker`: one worker process on a Unix socket.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one worker: it registers in the store and serves requests a coordinator sends over its Unix socket.",
        discussion: """
        `triage up` starts workers itself. Run this by hand (or as the compose `worker` service) to add
        workers to a running cluster: the coordinator finds a new worker in the store within seconds.
        Example: triage worker --data-dir ./data --id w3
        """)

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var log: LogOptions

    @Option(help: ArgumentHelp("Unique worker id. Default: <hostname>-<pid>.", valueName: "id"))
    var id: String?

    @Option(help: ArgumentHelp("Socket path. Default: <run_dir>/worker-<id>.sock.", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Exit when this process is no longer the parent (set by `triage up`).", valueName: "pid"))
    var parentPid: Int32?

    func run() async throws {
        let config = try cluster.load()
        let id = self.id ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let socketPath = socket.map(absolute) ?? config.runDir + "/worker-\(id).sock"
        guard socketPath.utf8.count <= 103 else {
            throw ValidationError("socket path is \(socketPath.utf8.count) bytes; Unix sockets allow 103. Use a shorter --data-dir or run_dir: \(socketPath)")
        }
        let logger = log.makeLogger("triage.worker.\(id)")
        if let parent = parentPid {
            // Started by `triage up`: never outlive it. A plain thread, so it works even when every
            // task thread is busy or blocked.
            Thread.detachNewThread {
                while getppid() == parent { usleep(200_000) }
                Foundation.exit(0)
            }
        }
        let store = try cluster.openStore(config)
        let inUse = try StoreUseLock(storePath: store.path)  // held while serving: `triage restore` waits for the stop
        defer { withExtendedLifetime(inUse) {} }
        let writer = try StoreWriter(path: store.path)
        let requestLog = try StoreWriter(path: Store.requestLogPath(forStore: store.path), schema: .requestLog)
        let reads = try Store(path: store.path)  // the request path's reads: a connection no write holds
        let worker = WorkerService(options: WorkerOptions(id: id, socketPath: socketPath, parentPID: parentPid),
                                   config: config, store: store, writer: writer, requestLog: requestLog, reads: reads, environment: ProcessInfo.processInfo.environment, logger: logger)
        // The worker returns by itself when a coordinator restarts it (a config reload): a clean
        // exit, after which `triage up` or the container's restart policy starts it on the new file.
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        writer.close()
        requestLog.close()
        reads.close()
        store.close()
    }
}
