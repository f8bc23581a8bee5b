import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage reload`: apply the config file to a running cluster without stopping it.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Apply the config file to the running cluster: new tiers, prices, providers and limits, without dropping a request.",
        discussion: """
            Checks the file first (a file that does not load changes nothing). The coordinator then serves new \
            requests by the file's tiers and request limits at once, and restarts its workers one at a time, \
            each only while another worker is taking requests; a worker finishes its requests in flight before it \
            exits, and starts again on the file. Its address, auth, worker settings, frame and stream limits and \
            scheduled retraining the coordinator takes at its next restart (the command says which changed); \
            data_dir and run_dir cannot change while the cluster runs. SIGHUP to the coordinator does the same.
            Run it where the cluster's config file and store are (for compose: docker compose exec coordinator triage reload).
            Example: triage reload --config cluster/triage.yaml
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: ArgumentHelp("Seconds to wait for the coordinator to finish (0: only ask).", valueName: "s"))
    var wait: Double = 300

    func run() async throws {
        let config: TriageConfig
        do {
            config = try cluster.load()
        } catch {
            throw ReloadError("nothing changed: \(error)")
        }
        let store = try cluster.openStore(config)
        defer { store.close() }
        let generation = try store.requestConfigReload(by: ClusterOptions.actor())
        print("reload \(generation) requested (\(cluster.configPath() ?? "built-in config"))")
        guard wait > 0 else { return }
        let deadline = ContinuousClock.now + .milliseconds(Int64(wait * 1000))
        var shown: String?
        while ContinuousClock.now < deadline {
            if let r = try store.configReload(generation: generation) {
                if let outcome = r.outcome {
                    print("reload \(generation) \(outcome.rawValue): \(r.detail ?? "")")
                    if outcome == .failed { throw ExitCode.failure }
                    return
                }
                if let detail = r.detail, detail != shown {
                    print("  \(detail)")
                    shown = detail
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        var started = false
        if let r = try? store.configReload(generation: generation), r.startedAt != nil { started = true }
        throw ReloadError(started ? "reload \(generation) is still running after \(Int(wait)) s: see the coordinator's log "
                                    + "(or GET /admin/config/reloads/\(generation))"
                                  : "no coordinator took reload \(generation) up within \(Int(wait)) s: is one running on this store (\(store.path))?")
    }
}

/// Why `triage reload` failed, printed as `Error: …`.
private struct ReloadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
