import ArgumentParser
import Foundation
import TriageCoordinator

/// `triage key ...`: API keys.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, list, budget, rotate and revoke team API keys (stored only as hashes; a key is shown once).",
        discussion: "Example: triage key create --team research --name notebook --expires 90d --budget 20",
        subcommands: [Create.self, List.self, Set.self, Rotate.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key for a team and print it (once).")
        @OptionGroup var cluster: ClusterOptions
        @Option(help: "The team the key charges.") var team: String
        @Option(help: "A label for the key.") var name: String?
        @Option(help: ArgumentHelp("When the key stops working: a duration (30d, 12h, 90m, 45s), a date (2027-01-01) or an ISO 8601 time. Default: never.",
                                   valueName: "when")) var expires: String?
        @Option(help: ArgumentHelp("A budget of the key's own in USD for the team's period, inside the team's. Default: none.", valueName: "usd"))
        var budget: Double?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let k = try cluster.admin().createKey(team: team, name: name, expires: expires, budgetUSD: budget)
            if json { return try printJSON(k) }
            print(k.key)
            let expiry = k.expiresAt.map { ", expires \($0)" } ?? ""
            FileHandle.standardError.write(Data("key \(k.id) (prefix \(k.prefix)) for team \(k.team)\(expiry); it is not shown again\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @OptionGroup var cluster: ClusterOptions
        @Option(help: "Only this team's keys.") var team: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let keys = try cluster.admin().keys(team: team)
            if json { return try printJSON(keys) }
            printTable(["id", "prefix", "team", "name", "created", "expires", "budget", "spent", "state"], keys.map {
                [String($0.id), $0.prefix, $0.team, $0.name ?? "-", $0.createdAt, $0.expiresAt ?? "never", $0.budgetUSD ?? "-", $0.spentUSD ?? "-",
                 $0.revoked ? "revoked" : $0.expired ? "expired" : $0.replacedBy.map { "rotated to key \($0)" } ?? "active"]
            })
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set or remove a key's own budget (for its team's period, inside the team's budget).",
            discussion: "Example: triage key set 1a2b3c4d --budget 20   (or --budget none). A rotated key shares its budget with the key it replaced.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The key's id or prefix.") var key: String
        @Option(help: ArgumentHelp("The budget in USD, or none.", valueName: "usd")) var budget: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let k = try cluster.admin().setKeyBudget(key, budgetUSD: try numberOrNone(budget, "--budget"))
            if json { return try printJSON(k) }
            print("key \(k.id) (prefix \(k.prefix)) of team \(k.team): budget \(k.budgetUSD.map { "$\($0)" } ?? "none")"
                  + (k.spentUSD.map { ", spent $\($0) this period" } ?? ""))
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a key with a new one for the same team and name, and print it (once); the old key keeps working for --grace.",
            discussion: "Example: triage key rotate 1a2b3c4d --grace 24h")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The key's id or prefix.") var key: String
        @Option(help: ArgumentHelp("How long the old key keeps working: a duration (24h, 30m) or 0 (at once). Default: 24h.", valueName: "duration"))
        var grace: String?
        @Option(help: ArgumentHelp("When the new key stops working (30d, 2027-01-01, an ISO time). Default: the old key's lifetime, else never.",
                                   valueName: "when")) var expires: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let r = try cluster.admin().rotateKey(key, grace: grace, expires: expires)
            if json { return try printJSON(r) }
            print(r.key.key)
            let expiry = r.key.expiresAt.map { ", expires \($0)" } ?? ""
            FileHandle.standardError.write(Data(("key \(r.key.id) (prefix \(r.key.prefix)) for team \(r.key.team)\(expiry) replaces \(r.oldPrefix), "
                + "which stops working at \(r.oldExpiresAt); the new key is not shown again\n").utf8))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or prefix.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The key's id or prefix.") var key: String

        func run() throws {
            try cluster.admin().revokeKey(key)
            print("revoked key \(key)")
        }
    }
}
