import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore
import TriageStore

/// `triage spend`: spend from the ledger.
struct SpendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spend",
        abstract: "Report spend from the ledger, per team and by tier, model, day, API key or end user.",
        discussion: "Example: triage spend --team research --by model --since 2026-11-01")

    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Only this team.") var team: String?
    @Option(help: "Group by team (default), tier, model, day, key (prefix and name) or user (the requests' `user` field).") var by: String?
    @Option(help: ArgumentHelp("Only spend since this date (2026-11-01 or ISO 8601).", valueName: "date")) var since: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let rows = try cluster.admin().spend(team: team, by: by, since: since)
        if json { return try printJSON(JSONValue.array(rows.map(TeamAdmin.json))) }
        let grouped = (by ?? "team") != "team"
        printTable(["team"] + (grouped ? [by!] : []) + ["requests", "tokens in", "tokens out", "cost"], rows.map {
            [$0.team] + (grouped ? [$0.key] : []) + [String($0.requests), String($0.promptTokens), String($0.completionTokens),
                                                    "$" + Money(nanoUSD: $0.costNano).description]
        })
        let total = rows.reduce(Int64(0)) { $0 + $1.costNano }
        print("total $\(Money(nanoUSD: total))")
    }
}
