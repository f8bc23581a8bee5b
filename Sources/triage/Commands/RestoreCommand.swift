import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage restore --from DIR`: a backup put in place of a stopped cluster's store.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup (from triage backup) in place of the store of a stopped cluster.",
        discussion: """
            Checks the backup's files, refuses while any worker of the cluster sends heartbeats (within workers.stale_s), \
            moves the current store files, with their -wal and -shm, into <data_dir>/replaced-<time>/ (nothing is \
            deleted), copies the backup in and opens it, applying the migrations of a backup taken by an older version.
            Example: triage restore --from /var/backups/triage/2026-11-30
            """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("The backup's directory (what triage backup --to wrote).", valueName: "dir"))
    var from: String

    func run() throws {
        let config = try cluster.load()
        let restored = try Store.restore(backup: absolute(from), into: Store.defaultPath(dataDir: config.dataDir),
                                         liveWorkerWindow: config.workers.staleSeconds, by: ClusterOptions.actor())
        if let aside = restored.setAside { print("previous store files moved to \(aside)") }
        for file in restored.files { print("restored \(file.path) from \(file.source) (\(file.bytes) bytes)") }
        print("store at schema v\(restored.schemaVersion); start the cluster")
    }
}
