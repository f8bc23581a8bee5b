import ArgumentParser
import Foundation
import Logging

/// `--log-level`, shared by the long-running subcommands.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical. Default: $TRIAGE_LOG_LEVEL or info.", valueName: "level"))
    var logLevel: String?

    /// Bootstraps swift-log once and returns a logger labelled for this process.
    func makeLogger(_ label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["TRIAGE_LOG_LEVEL"] ?? "info") ?? .info
        LoggingBootstrap.once(level: level)
        return Logger(label: label)
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false  // set once on the main task before any other thread logs

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}
