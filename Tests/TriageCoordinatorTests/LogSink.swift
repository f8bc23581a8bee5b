import Logging
import Synchronization
@testable import TriageCoordinator

/// Collects the lines a ``LineLogHandler`` writes, for the log format tests.
final class LogSink: Sendable {
    let lines = Mutex<[String]>([])

    /// A logger labelled `triage.test` that writes its lines here.
    func logger(_ format: LineLogHandler.Format) -> Logger {
        Logger(label: "triage.test") { label in
            LineLogHandler(label: label, format: format) { line in self.lines.withLock { $0.append(line) } }
        }
    }

    var all: [String] { lines.withLock { $0 } }
}
