import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage classifier ...`: versions of the learned classifier in the store.
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Install, list, activate and export learned-classifier versions (workers pick up the active one live).",
        discussion: """
        With `classifier: {kind: learned}` in the config, workers route with the active version and switch
        within seconds when another is activated; without one installed they use the rules.
        Example: triage train --data mmlu.jsonl,gsm8k.jsonl --out model.json && triage classifier install model.json
        """,
        subcommands: [Install.self, List.self, Activate.self, Export.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a model file as a new version (and activate it).")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "A model file written by `triage train --out`.") var file: String
        @Flag(help: "Store it without making it the active version.") var noActivate = false

        func run() throws {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let model: ModelFile
            do { model = try ModelFile.decode(bytes) } catch { throw ValidationError("\(file) is not a model file: \(error)") }
            let store = try cluster.openStore(try cluster.load())
            let version = try store.installClassifier(name: model.name, model: bytes, activate: !noActivate, by: ClusterOptions.actor())
            print("installed \(model.name) as version \(version)\(noActivate ? "" : " (active)")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List installed versions.")
        @OptionGroup var cluster: ClusterOptions

        func run() throws {
            let versions = try cluster.openStore(try cluster.load()).classifierVersions()
            printTable(["version", "name", "installed", "size", "state"], versions.map {
                [String($0.version), $0.name, ISO8601DateFormatter().string(from: $0.createdAt), "\($0.bytes) B", $0.active ? "active" : "-"]
            })
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an installed version the active one (roll back or forward).")
        @OptionGroup var cluster: ClusterOptions
        @Argument var version: Int64

        func run() throws {
            guard try cluster.openStore(try cluster.load()).activateClassifier(version: version, by: ClusterOptions.actor()) else {
                throw ValidationError("no classifier version \(version)")
            }
            print("version \(version) is active")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a stored version back to a model file.")
        @OptionGroup var cluster: ClusterOptions
        @Argument var version: Int64
        @Option(help: "Where to write it.") var out: String

        func run() throws {
            guard let bytes = try cluster.openStore(try cluster.load()).classifierModel(version: version) else {
                throw ValidationError("no classifier version \(version)")
            }
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            print("wrote version \(version) to \(out)")
        }
    }
}
