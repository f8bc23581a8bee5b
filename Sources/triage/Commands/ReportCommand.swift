import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore
import TriageStore

/// `triage report`: where the traffic went, what it cost and what routing saved.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report traffic share per tier, climbs by reason, and spend against sending everything to the top tier, per team.",
        discussion: "Example: triage report --since 2026-11-01 --team research")

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Only traffic since this date (2026-11-01 or ISO 8601). Default: the last 30 days.", valueName: "date"))
    var since: String?
    @Option(help: "Only this team.") var team: String?

    func run() throws {
        let config = try cluster.load()
        let store = try cluster.openStore(config)
        let from: Date
        if let since {
            guard let d = TeamAdmin.parseDate(since) else { throw ValidationError("--since expects a date like 2026-11-01") }
            from = d
        } else {
            from = Date().addingTimeInterval(-30 * 86_400)
        }
        let rows = try store.tierTraffic(since: from, team: team)
        guard let top = config.tiers.last else { return }
        print("Traffic since \(ISO8601DateFormatter().string(from: from))\(team.map { " for team \($0)" } ?? "")")
        for teamName in Array(Set(rows.map(\.team))).sorted() {
            let mine = rows.filter { $0.team == teamName }
            let total = max(mine.reduce(0) { $0 + $1.requests }, 1)
            let cost = mine.reduce(Int64(0)) { $0 + $1.costNano }
            let counterfactual = mine.reduce(Int64(0)) {
                $0 + top.price.cost(promptTokens: $1.promptTokens, completionTokens: $1.completionTokens).nanoUSD
            }
            print("\nteam \(teamName): \(total) requests, spent $\(Money(nanoUSD: cost))")
            let order = config.tiers.map(\.name)
            printTable(["tier", "requests", "share", "errors", "tokens in", "tokens out", "cost"], mine.sorted {
                (order.firstIndex(of: $0.tier) ?? 99) < (order.firstIndex(of: $1.tier) ?? 99)
            }.map {
                [$0.tier, String($0.requests), String(format: "%.1f%%", 100 * Double($0.requests) / Double(total)), String($0.errors),
                 String($0.promptTokens), String($0.completionTokens), "$" + Money(nanoUSD: $0.costNano).description]
            })
            let saved = counterfactual - cost
            print("all on \(top.name) (\(top.model)) would have cost $\(Money(nanoUSD: counterfactual)); routing saved $\(Money(nanoUSD: saved))"
                  + (counterfactual > 0 ? String(format: " (%.0f%%)", 100 * Double(saved) / Double(counterfactual)) : ""))
        }
        let reasons = try store.misrouteReasons(since: from, team: team)
        print("\nclimbs by reason")
        printTable(["reason", "count"], reasons.map { [$0.reason, String($0.count)] })
        print("\nmeasured routing accuracy per tier: no shadow verdicts yet (shadow comparison is not built)")
    }
}
