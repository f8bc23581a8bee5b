import ArgumentParser
import Foundation
import Logging
import TriageCoordinator

/// `--log-level` and `--log-format`, shared by the long-running subcommands.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical. Default: $TRIAGE_LOG_LEVEL or info.", valueName: "level"))
    var logLevel: String?

    @Option(name: .long, help: ArgumentHelp("text (one human-readable line per event) or json (one JSON object per line: ts, level, label, message, metadata). Default: $TRIAGE_LOG_FORMAT or text.", valueName: "format"))
    var logFormat: String?

    /// Bootstraps swift-log once and returns a logger labelled for this process.
    ///
    /// The format chosen here is also put in `TRIAGE_LOG_FORMAT`, so the processes this one
    /// starts (`triage up`'s workers and simulated provider) log the same way.
    func makeLogger(_ label: String) -> Logger {
        let env = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel ?? env["TRIAGE_LOG_LEVEL"] ?? "info") ?? .info
        let format = LineLogHandler.Format(rawValue: (logFormat ?? env["TRIAGE_LOG_FORMAT"] ?? "text").lowercased()) ?? .text
        setenv("TRIAGE_LOG_FORMAT", format.rawValue, 1)
        LoggingBootstrap.once(level: level, format: format)
        return Logger(label: label)
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false  // set once on the main task before any other thread logs

    static func once(level: Logger.Level, format: LineLogHandler.Format = .text) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var h = LineLogHandler(label: label, format: format)
            h.logLevel = level
            return h
        }
    }
}
