import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore

/// `triage team ...`: teams and their budgets.
struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Create, list, show, change and delete teams and their spend budgets.",
        discussion: "Example: triage team create research --budget 50 --period monthly --soft-limit 0.8 --rpm 600 --tpm 200000",
        subcommands: [Create.self, List.self, Show.self, Set.self, Policy.self, Delete.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a team.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "Team name (letters, digits, '-', '_', '.').") var name: String
        @Option(help: ArgumentHelp("Budget in USD per period (omit for unlimited).", valueName: "usd")) var budget: Double?
        @Option(help: "daily, weekly, monthly (calendar-aligned, UTC) or total.") var period = "monthly"
        @Option(help: ArgumentHelp("Fraction of the budget after which requests are capped at a cheaper tier, e.g. 0.8.", valueName: "fraction"))
        var softLimit: Double?
        @Option(help: ArgumentHelp("At most this many requests a minute from the team's keys (omit for no limit).", valueName: "n"))
        var rpm: Int?
        @Option(help: ArgumentHelp("At most this many tokens (prompt and answer) a minute from the team's keys (omit for no limit).",
                                   valueName: "n"))
        var tpm: Int?
        @Option(help: ArgumentHelp("At most this many of the team's requests in flight at once (omit for no limit).", valueName: "n"))
        var maxConcurrent: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let admin = try cluster.admin()
            try printTeam(try admin.createTeam(name: name, budgetUSD: budget, period: period, softLimit: softLimit, requestsPerMinute: rpm,
                                               tokensPerMinute: tpm, maxConcurrent: maxConcurrent), json: json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List teams with their spend this period.")
        @OptionGroup var cluster: ClusterOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let teams = try cluster.admin().teams()
            if json { return try printJSON(teams) }
            printTable(["team", "budget", "period", "spent", "reserved", "remaining", "soft", "rpm", "tpm", "concurrent", "keys"], teams.map {
                [$0.name, $0.budgetUSD.map { "$" + $0 } ?? "unlimited", $0.period, "$" + $0.spentUSD, "$" + $0.reservedUSD,
                 $0.remainingUSD.map { "$" + $0 } ?? "-", $0.softLimit.map { String($0) } ?? "-", $0.requestsPerMinute.map { String($0) } ?? "-",
                 $0.tokensPerMinute.map { String($0) } ?? "-", $0.maxConcurrent.map { String($0) } ?? "-", String($0.activeKeys)]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one team.")
        @OptionGroup var cluster: ClusterOptions
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws { try printTeam(try cluster.admin().team(name), json: json) }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a team's budget, period, soft limit or rate limits.")
        @OptionGroup var cluster: ClusterOptions
        @Argument var name: String
        @Option(help: ArgumentHelp("New budget in USD per period; 'none' for unlimited.", valueName: "usd")) var budget: String?
        @Option(help: "daily, weekly, monthly or total.") var period: String?
        @Option(help: ArgumentHelp("New soft limit fraction; 'none' to remove.", valueName: "fraction")) var softLimit: String?
        @Option(help: ArgumentHelp("New request rate limit, requests per minute; 'none' to remove. A running coordinator applies it within auth.cache_s.",
                                   valueName: "n")) var rpm: String?
        @Option(help: ArgumentHelp("New token rate limit, tokens per minute; 'none' to remove. A running coordinator applies it within auth.cache_s.",
                                   valueName: "n")) var tpm: String?
        @Option(help: ArgumentHelp("New limit on requests in flight at once; 'none' to remove. A running coordinator applies it within auth.cache_s.",
                                   valueName: "n")) var maxConcurrent: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let b: Double?? = try budget.map { try numberOrNone($0, "--budget") }
            let s: Double?? = try softLimit.map { try numberOrNone($0, "--soft-limit") }
            try printTeam(try cluster.admin().updateTeam(name, budgetUSD: b, period: period, softLimit: s,
                                                         requestsPerMinute: try Self.limit(rpm, "--rpm"),
                                                         tokensPerMinute: try Self.limit(tpm, "--tpm"),
                                                         maxConcurrent: try Self.limit(maxConcurrent, "--max-concurrent")), json: json)
        }

        /// A rate limit option: absent (nil), `none` (`.some(nil)`, no limit) or a whole number.
        private static func limit(_ value: String?, _ option: String) throws -> Int?? {
            try value.map { v -> Int? in
                if v == "none" { return nil }
                guard let n = Int(v) else { throw ValidationError("\(option) expects a whole number or 'none'") }
                return n
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a team and its keys (its ledger rows stay).")
        @OptionGroup var cluster: ClusterOptions
        @Argument var name: String

        func run() throws {
            try cluster.admin().deleteTeam(name)
            print("deleted team \(name)")
        }
    }
}

func printTeam(_ t: TeamAdmin.TeamView, json: Bool) throws {
    if json { return try printJSON(t) }
    let rates = [t.requestsPerMinute.map { "\($0) requests" }, t.tokensPerMinute.map { "\($0) tokens" }].compactMap { $0 }
    let concurrency = t.maxConcurrent.map { "at most \($0) requests at once" } ?? "no limit"
    print("""
    team       \(t.name)
    budget     \(t.budgetUSD.map { "$\($0) per \(t.period == "total" ? "all time" : t.period.replacingOccurrences(of: "ly", with: "").replacingOccurrences(of: "dai", with: "day"))" } ?? "unlimited")
    spent      $\(t.spentUSD) this period ($\(t.reservedUSD) reserved in flight)
    remaining  \(t.remainingUSD.map { "$" + $0 } ?? "-")
    soft limit \(t.softLimit.map { "\(Int($0 * 100))% of the budget" } ?? "none")
    rate limit \(rates.isEmpty ? "none" : rates.joined(separator: " and ") + " per minute")
    in flight  \(concurrency)
    resets     \(t.periodResetsAt ?? "never")
    keys       \(t.activeKeys) active
    """)
}
