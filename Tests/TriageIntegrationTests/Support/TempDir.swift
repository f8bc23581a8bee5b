import Foundation

/// A fresh directory under `/tmp` with a short name, so Unix socket paths inside it stay
/// well under the 103-byte limit. Removed by ``remove()`` unless `TRIAGE_KEEP_TMP` is set.
struct TempDir: Sendable {
    let path: String

    init(prefix: String = "triage-it") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: made)
    }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `path/name` and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func remove() {
        if ProcessInfo.processInfo.environment["TRIAGE_KEEP_TMP"] != nil { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
