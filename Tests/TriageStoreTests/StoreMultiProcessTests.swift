import Foundation
import Testing
@testable import TriageStore

/// Several real processes racing to open, migrate and write one fresh file.
///
/// The test binary re-runs itself with `--filter childProcessWriter`; the child test is enabled
/// only when `TRIAGE_STORE_CHILD_PATH` names the store to write to.
@Suite struct StoreMultiProcessTests {
    static let childPathKey = "TRIAGE_STORE_CHILD_PATH"
    static let rowsPerChild = 100

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childPathKey] != nil))
    func childProcessWriter() throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childPathKey])
        let store = try Store(path: path, busyTimeoutMilliseconds: 10_000)
        defer { store.close() }
        let pid = ProcessInfo.processInfo.processIdentifier
        try store.registerWorker(WorkerRecord(id: "pid-\(pid)", pid: pid, host: "test", socketPath: "/tmp/\(pid).sock",
                                              capacity: 1, startedAt: Date()))
        for i in 0..<Self.rowsPerChild {
            try store.logRequest(RequestLogEntry(id: "p\(pid)-\(i)", createdAt: Date(), status: 200, costNano: 1))
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childPathKey] == nil))
    func processesRacingOnAFreshFileAllSucceed() async throws {
        try await withTempDirAsync { dir in
            let path = Store.defaultPath(dataDir: dir + "/data")
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            var environment = ProcessInfo.processInfo.environment
            environment[Self.childPathKey] = path
            let children = 4
            var processes: [(Process, String)] = []
            for n in 0..<children {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = ["--testing-library", "swift-testing", "--filter", "childProcessWriter"]
                process.environment = environment
                let logPath = dir + "/child-\(n).log"
                _ = FileManager.default.createFile(atPath: logPath, contents: nil)
                let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
                process.standardOutput = log
                process.standardError = log
                try process.run()
                processes.append((process, logPath))
            }
            for (process, logPath) in processes {
                // Polled rather than `waitUntilExit()`, which would hold one of the cooperative threads.
                while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
                let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                #expect(process.terminationStatus == 0, "child failed:\n\(output)")
                #expect(output.contains("childProcessWriter() passed"), "child did not run the writer:\n\(output)")
            }
            let store = try Store(path: path)
            defer { store.close() }
            #expect(try store.schemaVersion() == Migrations.latestVersion)
            #expect(try store.requestCount() == children * Self.rowsPerChild)
            #expect(try store.workers().count == children)
            #expect(try store.integrityCheck() == "ok")
            let migrations = try store.read { db in
                try db.queryFirst("SELECT count(*) FROM schema_migrations") { $0.int(0) }
            }
            #expect(migrations == Migrations.latestVersion)
        }
    }
}
