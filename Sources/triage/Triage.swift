import ArgumentParser

/// `triage`: the one executable of a Triage cluster.
@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "A model router: sends each LLM query to the cheapest model tier that can answer it.",
        discussion: """
        Quick start: `triage up` starts a coordinator on http://127.0.0.1:8080, two workers and, when the \
        config names a `kind: sim` provider, the simulated provider, so it answers without any API key.

        Configuration is read from --config, $TRIAGE_CONFIG, ./cluster/triage.yaml, or a built-in default. \
        Team keys: `triage team create NAME` and `triage key create --team NAME`.
        """,
        version: TriageVersion.string,
        subcommands: [Up.self, CoordinatorCommand.self, WorkerCommand.self, SimCommand.self, RouteCommand.self,
                      TeamCommand.self, KeyCommand.self, SpendCommand.self, ClassifierCommand.self, ReportCommand.self, RequestsCommand.self, VersionCommand.self,
                      TrainCommand.self, EvalCommand.self, CalibrateCommand.self, RetrainCommand.self, BackupCommand.self, RestoreCommand.self, AuditCommand.self, ReloadCommand.self, StatusCommand.self])
}
