import ArgumentParser
import Foundation
import TriageCoordinator

/// `triage audit`: the trail of administrative changes.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show who changed teams, budgets, rate limits, keys, routing policies and classifiers, and when.",
        discussion: """
            Every change made with triage team, key, classifier, calibrate, retrain or restore, or through the admin API, \
            is recorded in the store in the same transaction as the change itself; entries are never deleted.
            Example: triage audit --team research --since 2026-11-01
            """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Only changes to this team (or another target, such as 'classifier v3').") var team: String?
    @Option(help: ArgumentHelp("Only changes since this date (2026-11-01 or ISO 8601).", valueName: "date")) var since: String?
    @Option(help: "At most this many entries, newest first.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let entries = try cluster.admin().audit(since: since, target: team, limit: limit)
        if json { return try printJSON(entries) }
        printTable(["at", "actor", "action", "target", "detail"], entries.map { [$0.at, $0.actor, $0.action, $0.target, $0.detail] })
    }
}
