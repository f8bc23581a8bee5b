import Foundation
import HTTPTypes
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore

/// The verified-key cache: a revoked key is refused once `auth.cache_s` has passed, never later.
@Suite struct AuthenticatorCacheTests {
    @Test func aRevokedKeyIsRefusedOnceTheCacheEntryExpires() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: Store.defaultPath(dataDir: dir))
        defer { store.close() }
        let team = try store.createTeam(name: "search", budgetNano: nil, period: "monthly", softLimit: nil)
        let key = APIKey.generate()
        _ = try store.createKey(teamID: team.id, name: nil, prefix: key.prefix, hash: key.hash)

        let auth = Authenticator(store: store, config: AuthConfig(required: true, cacheSeconds: 0.3))
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key.text)"
        _ = try auth.authenticate(headers)

        #expect(try store.revokeKey(key.prefix))
        _ = try auth.authenticate(headers)  // still cached: revocation takes up to cache_s
        try await Task.sleep(for: .milliseconds(450))
        #expect(throws: TriageError.self) { try auth.authenticate(headers) }

        // A key of the right shape that the store does not know is refused (and not cached).
        var unknown = HTTPFields()
        unknown[.authorization] = "Bearer \(APIKey.generate().text)"
        #expect(throws: TriageError.self) { try auth.authenticate(unknown) }
        #expect(throws: TriageError.self) { try auth.authenticate(unknown) }
    }
}
