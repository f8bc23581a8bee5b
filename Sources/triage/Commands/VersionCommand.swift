import ArgumentParser
import TriageWire

/// `triage version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of triage and of its wire protocol.")

    func run() {
        print("triage \(TriageVersion.string) (wire protocol v\(wireProtocolVersion))")
    }
}
