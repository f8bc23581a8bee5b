import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage backup --to DIR`: a consistent copy of a live store, checked.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the store (teams, keys, budgets, ledger, routing state, request log) while the cluster runs.",
        discussion: """
            Each of the store's two files is copied from one consistent snapshot with SQLite's VACUUM INTO while \
            coordinator and workers go on serving; each copy is then opened and checked (integrity, schema version, \
            rows, ledger total). Existing files are never overwritten. To restore: stop the cluster, remove the data \
            directory's triage.sqlite* and triage-requests.sqlite* files, and copy the two backup files in.
            Example: triage backup --to /var/backups/triage/$(date +%F)
            """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Directory to write the copies into (created when missing; must not hold them yet).", valueName: "dir"))
    var to: String

    func run() throws {
        let config = try cluster.load()
        let store = try cluster.openStore(config)
        defer { store.close() }
        let files = try store.backup(into: absolute(to))
        var failed = false
        for file in files {
            let check = try file.check()
            let rows = check.tables.map { "\($0.rows) \($0.table)" }.joined(separator: ", ")
            let ledger = check.ledgerNano.map { ", ledger total $\(Money(nanoUSD: $0))" } ?? ""
            print("\(file.path): \(file.bytes) bytes, schema v\(check.schemaVersion), integrity \(check.integrity); \(rows)\(ledger)")
            if check.integrity != "ok" { failed = true }
        }
        if failed { throw ValidationError("a backup copy failed its integrity check (see above)") }
    }
}
