import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore
import TriageStore

/// `triage status`: the cluster as its store sees it.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the cluster as its store sees it: workers and their heartbeats, the last config reload, open circuits, the classifier, teams at their budgets.",
        discussion: "Needs no running coordinator. Exits 1 when no worker is live (ready, with a heartbeat within workers.stale_s), so scripts can tell a cluster that serves from one that does not.")

    @OptionGroup var cluster: ClusterOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let config = try cluster.load()
        let store = try cluster.openStore(config)
        defer { store.close() }
        let status = try ClusterStatus.read(store: store, storePath: Store.defaultPath(dataDir: config.dataDir), classifierKind: config.classifier.kind,
                                            staleAfter: config.workers.staleSeconds)
        if json { try printJSON(status) } else { print(status.text) }
        if status.liveWorkers == 0 { throw ExitCode(1) }
    }
}
