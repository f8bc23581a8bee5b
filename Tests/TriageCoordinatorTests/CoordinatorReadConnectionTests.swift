import Foundation
import Logging
import Synchronization
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore

/// The coordinator's separate read connection (key lookups, worker discovery): when it cannot be
/// opened, the coordinator still starts on the main connection and says so in its log.
@Suite struct CoordinatorReadConnectionTests {
    final class Captured: LogHandler, @unchecked Sendable {
        // Mutable only through `lines` (a Mutex) and the LogHandler properties swift-log sets before use.
        let lines = Mutex<[(Logger.Level, String)]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            lines.withLock { $0.append((event.level, "\(event.message) \(meta)")) }
        }
    }

    @Test func aReadConnectionThatCannotBeOpenedIsLoggedAsAWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-reads-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = Store.defaultPath(dataDir: dir)
        let store = try Store(path: path)
        defer { store.close() }
        let config = try ConfigLoader.load(yaml: DefaultConfig.yaml)
        let captured = Captured()
        let logger = Logger(label: "triage.test") { _ in captured }

        // A store that opens twice: no warning.
        _ = Coordinator(config: config, store: store, metrics: TriageMetrics(), logger: logger)
        #expect(captured.lines.withLock { $0.isEmpty })

        // The file is gone and a directory stands at its path: the main connection still holds the
        // unlinked file, but a second open fails (permissions would not do: tests may run as root).
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: StoreError.self) { try Store(path: path) }
        let coordinator = Coordinator(config: config, store: store, metrics: TriageMetrics(), logger: logger)
        #expect(coordinator.reads === store)
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.0 == .warning)
        #expect(lines.first?.1.hasPrefix("cannot open a separate read connection to the store") == true)
        #expect(lines.first?.1.contains("triage.store=\(path)") == true, "\(lines)")
    }
}
