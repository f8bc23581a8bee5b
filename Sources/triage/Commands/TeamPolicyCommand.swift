import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore
import TriageStore

extension TeamCommand {
    /// `triage team policy NAME [--dial D] [--dial-min A] [--dial-max B] [--max-tier T]`.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set a team's routing policy: its default dial, the range x-triage-dial may move in, and its highest tier.",
            discussion: """
            The dial runs from 0 (cheapest) to 1 (best quality); 0.5 keeps the configured thresholds.
            Each option takes a value or 'none' (unset); options not given keep their value.
            Example: triage team policy search --dial 0.3 --dial-max 0.6 --max-tier medium
            """)
        @OptionGroup var cluster: ClusterOptions
        @Argument var name: String
        @Option(help: ArgumentHelp("The team's default dial (0-1); 'none' for the neutral 0.5.", valueName: "dial")) var dial: String?
        @Option(help: ArgumentHelp("The lowest dial a request may ask for; 'none' for 0.", valueName: "dial")) var dialMin: String?
        @Option(help: ArgumentHelp("The highest dial a request may ask for; 'none' for 1.", valueName: "dial")) var dialMax: String?
        @Option(help: ArgumentHelp("The highest tier the team's requests may use; 'none' for the top.", valueName: "tier")) var maxTier: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let admin = try cluster.admin()
            var view = try admin.routingPolicy(name)
            if dial != nil || dialMin != nil || dialMax != nil || maxTier != nil {
                func number(_ v: String?, _ flag: String, _ old: Double?) throws -> Double? {
                    guard let v else { return old }
                    if v == "none" { return nil }
                    guard let d = Double(v) else { throw ValidationError("--\(flag) expects a number from 0 to 1 or 'none'") }
                    return d
                }
                let policy = TeamRoutingPolicy(dial: try number(dial, "dial", view.dial), dialMin: try number(dialMin, "dial-min", view.dialMin),
                                               dialMax: try number(dialMax, "dial-max", view.dialMax),
                                               maxTier: maxTier.map { $0 == "none" ? nil : $0 } ?? view.maxTier)
                view = try admin.setRoutingPolicy(name, policy)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(view), as: UTF8.self))
                return
            }
            func show(_ d: Double?, _ fallback: String) -> String { d.map { String($0) } ?? fallback }
            // A cap set before the config lost its tier caps at the cheapest tier (see RoutingControls.resolve).
            let tiers = try cluster.load().tiers.map(\.name)
            let stale = view.maxTier.map { !tiers.contains($0) } ?? false
            print("team \(view.team): dial \(show(view.dial, "0.5 (neutral)")), requests may set \(show(view.dialMin, "0"))-\(show(view.dialMax, "1")), max tier \(view.maxTier ?? "(top)")"
                  + (stale ? " (not a configured tier: the team is capped at the cheapest, \(tiers.first ?? "-"))" : ""))
        }
    }
}
