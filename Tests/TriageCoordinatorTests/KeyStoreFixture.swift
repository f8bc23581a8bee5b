import Foundation
import HTTPTypes
import TriageCore
import TriageStore

/// Runs `body` on a store in a temporary directory holding one team, `search`; removes it all after.
func withSearchTeam(_ body: (Store, TeamRecord) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-keys-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try Store(path: Store.defaultPath(dataDir: dir))
    defer { store.close() }
    try await body(store, try store.createTeam(name: "search", budgetNano: nil, period: "monthly", softLimit: nil))
}

/// A new key of `team`, stored (as its hash) with an expiry when given.
func storedKey(_ store: Store, team: TeamRecord, expiresAt: Date? = nil) throws -> APIKey {
    let key = APIKey.generate()
    _ = try store.createKey(teamID: team.id, name: nil, prefix: key.prefix, hash: key.hash, expiresAt: expiresAt)
    return key
}

/// Request headers presenting `key` as a bearer token.
func bearer(_ key: APIKey) -> HTTPFields {
    var headers = HTTPFields()
    headers[.authorization] = "Bearer \(key.text)"
    return headers
}
