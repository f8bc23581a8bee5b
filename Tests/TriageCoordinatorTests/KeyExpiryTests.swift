import Foundation
import HTTPTypes
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore
import TriageWire

/// API keys with an expiry: refused from that moment, cached or not, with a message that says so.
@Suite struct KeyExpiryTests {
    @Test func aKeyIsRefusedOnceItExpiresEvenWhileCached() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-expiry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: Store.defaultPath(dataDir: dir))
        defer { store.close() }
        let team = try store.createTeam(name: "search", budgetNano: nil, period: "monthly", softLimit: nil)
        let soon = APIKey.generate()
        _ = try store.createKey(teamID: team.id, name: nil, prefix: soon.prefix, hash: soon.hash, expiresAt: Date().addingTimeInterval(0.4))
        let past = APIKey.generate()
        _ = try store.createKey(teamID: team.id, name: nil, prefix: past.prefix, hash: past.hash, expiresAt: Date().addingTimeInterval(-1))
        let forever = APIKey.generate()
        _ = try store.createKey(teamID: team.id, name: nil, prefix: forever.prefix, hash: forever.hash)

        let auth = Authenticator(store: store, config: AuthConfig(required: true, cacheSeconds: 60))
        func headers(_ key: APIKey) -> HTTPFields {
            var h = HTTPFields()
            h[.authorization] = "Bearer \(key.text)"
            return h
        }
        #expect(try auth.authenticate(headers(soon)).team == "search")
        #expect(try auth.authenticate(headers(forever)).team == "search")
        do {
            _ = try auth.authenticate(headers(past))
            Issue.record("an expired key was accepted")
        } catch {
            #expect(error.status == 401 && error.body.message.contains("expired at"), "\(error)")
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(throws: TriageError.self, "expired while its verification was cached (for 60 s)") { try auth.authenticate(headers(soon)) }
        #expect(try auth.authenticate(headers(forever)).team == "search")
    }

    @Test func expiriesAreDurationsDatesOrTimes() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(TeamAdmin.parseExpiry("30d", now: now) == now.addingTimeInterval(30 * 86_400))
        #expect(TeamAdmin.parseExpiry("12h", now: now) == now.addingTimeInterval(12 * 3_600))
        #expect(TeamAdmin.parseExpiry("90m", now: now) == now.addingTimeInterval(90 * 60))
        #expect(TeamAdmin.parseExpiry("45s", now: now) == now.addingTimeInterval(45))
        #expect(TeamAdmin.parseExpiry("2027-01-01", now: now) == Date(timeIntervalSince1970: 1_798_761_600))
        #expect(TeamAdmin.parseExpiry("2027-01-01T12:00:00Z", now: now) == Date(timeIntervalSince1970: 1_798_804_800))
        for bad in ["", "d", "-3d", "0d", "soon", "3w"] {
            #expect(TeamAdmin.parseExpiry(bad, now: now) == nil, "\(bad)")
        }
    }
}
