import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TriageStore
import UnixSignals
import TriageCore
import TriageCoordinator
import TriageStore

/// `triage up`: a whole cluster in one command.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a cluster: the coordinator, N supervised worker processes and, if configured, the simulated provider.",
        discussion: """
        Workers that exit are restarted; they exit themselves if this process goes away. Ctrl-C (SIGINT) or
        SIGTERM stops accepting requests, lets in-flight ones finish (shutdown_grace_s), then stops the workers.
        Example: triage up --workers 4 --port 8080 --data-dir ./data
        """)

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var log: LogOptions

    @Option(help: ArgumentHelp("Number of worker processes (default: workers.count in the config, 2).", valueName: "n"))
    var workers: Int?

    @Option(help: ArgumentHelp("HTTP port (overrides listen; 0 picks a free one).", valueName: "n"))
    var port: Int?

    @Option(help: ArgumentHelp("Write the bound HTTP port to this file once listening.", valueName: "path"))
    var portFile: String?

    func run() async throws {
        let config = try cluster.load(port: port)
        let count = workers ?? config.workers.count
        guard count >= 0 else { throw ValidationError("--workers must be 0 or more") }
        let logger = log.makeLogger("triage.up")
        let store = try cluster.openStore(config)
        let inUse = try StoreUseLock(storePath: store.path)  // this process serves as the coordinator: `triage restore` waits for the stop
        defer { withExtendedLifetime(inUse) {} }
        try FileManager.default.createDirectory(atPath: config.runDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(config.runDir, 0o700)
        removeDeadWorkers(store, logger: logger)
        let demoKeyFile = config.auth.required ? try ensureDemoKey(store, config: config) : nil

        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let supervisor = Supervisor(executable: executable, grace: .milliseconds(Int64(config.shutdownGraceSeconds * 1000) + 2000), logger: logger)
        var levelArgs: [String] = []
        if let level = log.logLevel { levelArgs = ["--log-level", level] }

        let sims = config.providers.values.filter { $0.kind == .sim }.sorted { $0.name < $1.name }
        for sim in sims {
            let models = config.tiers.filter { $0.provider == sim.name }.map(\.model)
            var args = ["sim", "--port", String(sim.port ?? 8090), "--models", models.joined(separator: ","),
                        "--parent-pid", String(getpid())] + levelArgs
            if let t = sim.ttftMs { args += ["--ttft-ms", String(t)] }
            if let t = sim.tpotMs { args += ["--tpot-ms", String(t)] }
            if let r = sim.replay { args += ["--replay", r] }
            try supervisor.start(.init(name: "sim-\(sim.name)", arguments: args))
            try await waitForPort(sim.port ?? 8090, name: "simulated provider '\(sim.name)'")
        }
        let me = getpid()
        for i in 1...max(count, 1) where count > 0 {
            let id = "w\(i)"
            let socket = config.runDir + "/worker-\(id).sock"
            guard socket.utf8.count <= 103 else {
                throw ValidationError("socket path is \(socket.utf8.count) bytes; Unix sockets allow 103. Use a shorter --data-dir: \(socket)")
            }
            try supervisor.start(.init(name: id, arguments: ["worker", "--id", id, "--socket", socket, "--parent-pid", String(me)]
                                           + cluster.childArguments(config) + levelArgs))
        }

        let portFile = self.portFile.map(absolute)
        let host = config.listen.host
        let simNote = sims.isEmpty ? "" : ", simulated provider on :\(sims.map { String($0.port ?? 8090) }.joined(separator: ","))"
        let auth = demoKeyFile.map { " -H \"Authorization: Bearer $(cat \($0))\" \\\n   " } ?? ""
        let options = cluster, port = self.port
        let coordinator = Coordinator(config: config, store: store, reload: { try options.load(port: port) }, logger: logger) { port in
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
            let banner = """

            Triage is up: http://\(host):\(port)  (\(count) workers\(simNote); store \(Store.defaultPath(dataDir: config.dataDir)))
            Try:
              curl http://\(host):\(port)/v1/chat/completions -H 'content-type: application/json' \\
               \(auth) -d '{"model":"auto","messages":[{"role":"user","content":"What is the capital of France?"}]}' -i
            Stop with Ctrl-C.

            """
            FileHandle.standardOutput.write(Data((banner + "\n").utf8))
        }
        let services: [any Service] = [supervisor] + coordinator.services + [ReloadSignal(store: store, logger: logger)]
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        store.close()
    }

    /// On first start with auth on (no team yet), creates a `demo` team ($10 a month, soft limit 80%)
    /// and a key for it, prints the key and keeps it in `<data_dir>/demo.key` (mode 0600) for the quick start.
    private func ensureDemoKey(_ store: Store, config: TriageConfig) throws -> String? {
        let file = config.dataDir + "/demo.key"
        guard try store.teams().isEmpty else {
            return FileManager.default.fileExists(atPath: file) ? file : nil
        }
        let admin = TeamAdmin(store: store, actor: "triage up (first start)")
        _ = try admin.createTeam(name: "demo", budgetUSD: 10, period: "monthly", softLimit: 0.8)
        let key = try admin.createKey(team: "demo", name: "created by triage up")
        FileManager.default.createFile(atPath: file, contents: Data(key.key.utf8), attributes: [.posixPermissions: 0o600])
        let note = "Created team 'demo' ($10 a month; past 80% its requests are capped to the cheapest tier) and its API key:\n"
            + "  \(key.key)\n(kept in \(file); add teams and keys with `triage team create` and `triage key create --team NAME`)\n"
        FileHandle.standardOutput.write(Data(note.utf8))
        return file
    }

    /// Drops registry rows of workers on this host whose process is gone (an earlier run that was killed).
    private func removeDeadWorkers(_ store: Store, logger: Logger) {
        let host = ProcessInfo.processInfo.hostName
        for w in (try? store.workers()) ?? [] where w.host == host && kill(w.pid, 0) != 0 {
            _ = try? store.removeWorker(id: w.id)
            logger.debug("removed dead worker row", metadata: ["triage.worker": "\(w.id)"])
        }
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:port.
    private func waitForPort(_ port: Int, name: String) async throws {
        for _ in 0..<200 {
            if canConnect(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("\(name) did not start listening on port \(port) within 10 s (is the port taken?)")
    }

    private func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
