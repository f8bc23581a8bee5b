import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore
import TriageStore

/// `triage report`: where the traffic went, what it cost and what routing saved.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report traffic share per tier, climbs by reason, spend against sending everything to the top tier, per team, and routing accuracy from shadow verdicts.",
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
                // With the cache discounts the top tier's provider would have given the same prompts.
                $0 + top.price.cost(Usage(promptTokens: $1.promptTokens, completionTokens: $1.completionTokens,
                                          cachedTokens: $1.cachedTokens, cacheWriteTokens: $1.cacheWriteTokens)).nanoUSD
            }
            print("\nteam \(teamName): \(total) requests, spent $\(Money(nanoUSD: cost))")
            let order = config.tiers.map(\.name)
            printTable(["tier", "requests", "share", "errors", "tokens in", "cached in", "tokens out", "cost"], mine.sorted {
                (order.firstIndex(of: $0.tier) ?? 99) < (order.firstIndex(of: $1.tier) ?? 99)
            }.map {
                [$0.tier, String($0.requests), String(format: "%.1f%%", 100 * Double($0.requests) / Double(total)), String($0.errors),
                 String($0.promptTokens), String($0.cachedTokens), String($0.completionTokens), "$" + Money(nanoUSD: $0.costNano).description]
            })
            let saved = counterfactual - cost
            print("all on \(top.name) (\(top.model)) would have cost $\(Money(nanoUSD: counterfactual)); routing saved $\(Money(nanoUSD: saved))"
                  + (counterfactual > 0 ? String(format: " (%.0f%%)", 100 * Double(saved) / Double(counterfactual)) : ""))
        }
        let reasons = try store.misrouteReasons(since: from, team: team)
        print("\nclimbs by reason")
        printTable(["reason", "count"], reasons.map { [$0.reason, String($0.count)] })
        let verdicts = try store.shadowVerdictCounts(since: from, team: team)
        let spent = try store.shadowSpendNano(since: from, team: team)
        print("\nmeasured routing accuracy per tier (shadow comparisons with \(top.name); accuracy = as_good + better among judged)")
        if verdicts.isEmpty {
            print("no shadow verdicts\(config.shadow.enabled ? " yet" : " (shadow comparison is off: shadow.sample_rate is 0)")")
        } else {
            let order = config.tiers.map(\.name)
            let tiers = Set(verdicts.map(\.tier)).sorted { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) }
            printTable(["tier", "compared", "as_good", "better", "worse", "unknown", "accuracy"], tiers.map { tier in
                let n = { (v: String) in verdicts.first { $0.tier == tier && $0.verdict == v }?.count ?? 0 }
                let judged = n("as_good") + n("better") + n("worse")
                let all = verdicts.filter { $0.tier == tier }.reduce(0) { $0 + $1.count }
                return [tier, String(all), String(n("as_good")), String(n("better")), String(n("worse")), String(n("unknown")),
                        judged > 0 ? String(format: "%.1f%%", 100 * Double(n("as_good") + n("better")) / Double(judged)) : "n/a"]
            })
            // Shadow calls are paid from the cluster's daily shadow budget: a team's report shows
            // what comparing its own requests cost, labelled as not charged to it.
            if let team {
                print("shadow spend on team \(team)'s requests (top-tier and judge calls, paid from the cluster's shadow budget, not charged to the team): $\(Money(nanoUSD: spent))")
            } else {
                print("shadow spend (top-tier and judge calls, charged to no team): $\(Money(nanoUSD: spent))")
            }
        }
    }
}
