import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `--config` and `--data-dir`: how every store-using subcommand finds the configuration and the store.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The YAML config file. Default: $TRIAGE_CONFIG, then ./cluster/triage.yaml, then a built-in default (simulated provider).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the SQLite store (overrides data_dir; sockets go under <dir>/run unless run_dir is set).", valueName: "dir"))
    var dataDir: String?

    /// The config file actually used, if any (absolute).
    func configPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let c = config ?? env["TRIAGE_CONFIG"] { return absolute(c) }
        let local = FileManager.default.currentDirectoryPath + "/cluster/triage.yaml"
        return FileManager.default.fileExists(atPath: local) ? local : nil
    }

    /// Loads and validates the configuration, with environment and flag overrides.
    func load(port: Int? = nil) throws -> TriageConfig {
        var env = ProcessInfo.processInfo.environment
        if let dataDir { env["TRIAGE_DATA_DIR"] = absolute(dataDir) }
        if let port { env["TRIAGE_PORT"] = String(port) }
        let yaml: String
        let base: String
        if let path = configPath() {
            do {
                yaml = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read config file \(path): \(error.localizedDescription)")
            }
            base = (path as NSString).deletingLastPathComponent
        } else {
            yaml = DefaultConfig.yaml
            base = FileManager.default.currentDirectoryPath
        }
        do {
            var config = try ConfigLoader.load(yaml: yaml, environment: env, baseDirectory: base)
            config.dataDir = absolute(config.dataDir)
            config.runDir = absolute(config.runDir)
            return config
        } catch {
            throw ValidationError("\(configPath() ?? "built-in config"): \(error)")
        }
    }

    /// Opens (and migrates) the store under the config's data directory.
    func openStore(_ config: TriageConfig) throws -> Store {
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        return try Store(path: Store.defaultPath(dataDir: config.dataDir))
    }

    /// The arguments that make a child process load the same configuration.
    func childArguments(_ config: TriageConfig) -> [String] {
        var args: [String] = []
        if let path = configPath() { args += ["--config", path] }
        args += ["--data-dir", config.dataDir]
        return args
    }
}

func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return (path as NSString).standardizingPath }
    return ((FileManager.default.currentDirectoryPath + "/" + path) as NSString).standardizingPath
}
