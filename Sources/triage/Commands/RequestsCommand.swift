import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore

/// `triage requests`: the request log, newest first, or one request in full.
struct RequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests",
        abstract: "List the latest requests from the request log, or show one in full: its tier, model, why, each attempt, cost.",
        discussion: """
        Examples: triage requests --team research --limit 50
                  triage requests 0193a6f2c1d84e7a9b20c4d1e8f3a5b7   (the x-triage-request-id of an answer)
        """)

    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "A request id: show that request in full.") var id: String?
    @Option(help: "Only this team's requests.") var team: String?
    @Option(help: "How many to list (1-1000).") var limit: Int = 20
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let admin = try cluster.admin()
        if let id {
            let r = try admin.request(id)
            if json { return try printJSON(r) }
            return show(r)
        }
        let rows = try admin.requests(team: team, limit: limit)
        if json { return try printJSON(rows) }
        printTable(["time (UTC)", "id", "team", "tier", "model", "status", "attempts", "ms", "cost"], rows.map {
            [$0.createdAt, $0.id, $0.team, $0.tier ?? "-", $0.model ?? "-", String($0.status), String($0.attempts?.arrayValue?.count ?? 0),
             $0.latencyMs.map { String(format: "%.1f", $0) } ?? "-", "$" + $0.costUSD]
        })
    }

    private func show(_ r: TeamAdmin.RequestView) {
        let tokens = "\(r.promptTokens.map(String.init) ?? "?") in, \(r.completionTokens.map(String.init) ?? "?") out"
            + (r.usageEstimated ? " (estimated)" : "")
        let fields: [(String, String?)] = [
            ("id", r.id), ("time", r.createdAt), ("team", r.team), ("worker", r.worker),
            ("status", String(r.status) + (r.errorType.map { " (\($0))" } ?? "")), ("stream", r.stream ? "yes" : "no"),
            ("tier", r.tier), ("model", r.model), ("provider", r.provider), ("why", r.reason), ("tokens", tokens),
            ("cost", "$" + r.costUSD),
            ("latency", r.latencyMs.map { String(format: "%.1f ms", $0) + (r.upstreamMs.map { String(format: " (%.1f ms upstream)", $0) } ?? "") }),
        ]
        for (name, value) in fields { print(name.padding(toLength: 9, withPad: " ", startingAt: 0) + (value ?? "-")) }
        let attempts = r.attempts?.arrayValue ?? []
        print("attempts \(attempts.count)")
        for (i, a) in attempts.enumerated() {
            let status = a["status"]?.intValue.map { " \($0)" } ?? ""
            let ms = a["ms"]?.doubleValue.map { String(format: " %.1f ms", $0) } ?? ""
            let message = a["message"]?.stringValue.map { ": \($0)" } ?? ""
            let provider = a["provider_request_id"]?.stringValue.map { " [provider request \($0)]" } ?? ""
            print("  \(i + 1). \(a["tier"]?.stringValue ?? "?")/\(a["model"]?.stringValue ?? "?") \(a["outcome"]?.stringValue ?? "?")\(status)\(ms)\(provider)\(message)")
        }
    }
}
