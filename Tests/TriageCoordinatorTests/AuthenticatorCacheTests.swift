import Foundation
import HTTPTypes
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore

/// The verified-key cache: a revoked key is refused once `auth.cache_s` has passed, never later.
@Suite struct AuthenticatorCacheTests {
    @Test func aRevokedKeyIsRefusedOnceTheCacheEntryExpires() async throws {
        try await withSearchTeam { store, team in
            let key = try storedKey(store, team: team)
            let auth = Authenticator(store: store, config: AuthConfig(required: true, cacheSeconds: 0.3))
            _ = try auth.authenticate(bearer(key))

            #expect(try store.revokeKey(key.prefix))
            _ = try auth.authenticate(bearer(key))  // still cached: revocation takes up to cache_s
            try await Task.sleep(for: .milliseconds(450))
            #expect(throws: TriageError.self) { try auth.authenticate(bearer(key)) }

            // A key of the right shape that the store does not know is refused (and not cached).
            let unknown = APIKey.generate()
            #expect(throws: TriageError.self) { try auth.authenticate(bearer(unknown)) }
            #expect(throws: TriageError.self) { try auth.authenticate(bearer(unknown)) }
        }
    }
}
