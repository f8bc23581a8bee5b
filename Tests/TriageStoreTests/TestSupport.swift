import Foundation
import Synchronization
@testable import TriageStore

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTempDir<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("triage-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// ``withTempDir(_:)`` for an async body.
func withTempDirAsync<T>(_ body: (String) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(dir)
}

/// Runs `body` with a store opened on a fresh file in a temporary directory.
func withStore<T>(_ body: (Store, String) throws -> T) throws -> T {
    try withTempDir { dir throws in
        let path = Store.defaultPath(dataDir: dir)
        let store = try Store(path: path)
        defer { store.close() }
        return try body(store, path)
    }
}

/// Runs `body(index)` on `count` real threads at once and waits for all of them.
/// Returns the description of every error thrown.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let errors = Mutex<[String]>([])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            do { try body(index) } catch { errors.withLock { $0.append("thread \(index): \(error)") } }
        }
        thread.start()
    }
    group.wait()
    return errors.withLock { $0 }
}

struct TestFailure: Error {}

/// A fixed instant with an exact binary fraction, so it survives the REAL round trip exactly.
let t0 = Date(timeIntervalSince1970: 1_750_000_000.5)
