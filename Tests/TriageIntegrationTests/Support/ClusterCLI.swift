/// The `triage` commands a test runs against a running cluster's config and store.
extension Cluster {
    /// Runs `triage <arguments>` against this cluster's config and store; returns its output.
    /// Throws, naming the command and its output, when it fails.
    func cli(_ arguments: [String]) async throws -> String {
        let r = try await env.run(arguments + ["--config", configPath, "--data-dir", dataDir])
        guard r.status == 0 else { throw HarnessError("triage \(arguments.joined(separator: " ")) failed: \(r.output)") }
        return r.output
    }

    /// Creates a key for `team` (expiring after `expires`, e.g. `3s`, when given) and returns it.
    func createKey(team: String, expires: String? = nil) async throws -> String {
        let out = try await cli(["key", "create", "--team", team] + (expires.map { ["--expires", $0] } ?? []))
        guard let key = out.split(separator: "\n").map(String.init).first(where: { $0.hasPrefix("tri_") }) else {
            throw HarnessError("triage key create printed no key: \(out)")
        }
        return key
    }

    /// Creates team `name`, with a budget of `budget` USD per `period` when given, and a key for it;
    /// returns the key.
    func createTeamAndKey(_ name: String, budget: String? = nil, period: String = "monthly") async throws -> String {
        _ = try await cli(["team", "create", name] + (budget.map { ["--budget", $0, "--period", period] } ?? []))
        return try await createKey(team: name)
    }
}
