import Foundation

/// Where the `triage` executable under test lives: `$TRIAGE_BIN`, else `<repo>/.build/debug/triage`.
enum TriageBinary {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "the triage binary is missing at \(path): run `swift build` first, or set TRIAGE_BIN to its path"
        }
    }

    /// The repository root, found from this file's path (`<root>/Tests/TriageIntegrationTests/Support/...`).
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The path of the binary; throws ``Missing`` when there is no executable there.
    static func path() throws -> String {
        let env = ProcessInfo.processInfo.environment["TRIAGE_BIN"].flatMap { $0.isEmpty ? nil : $0 }
        let path = env ?? repoRoot + "/.build/debug/triage"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
