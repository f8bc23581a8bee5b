import Foundation
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore
import TriageWire

/// API keys with an expiry: refused from that moment, cached or not, with a message that says so.
@Suite struct KeyExpiryTests {
    @Test func aKeyIsRefusedOnceItExpiresEvenWhileCached() async throws {
        try await withSearchTeam { store, team in
            let soon = try storedKey(store, team: team, expiresAt: Date().addingTimeInterval(0.4))
            let past = try storedKey(store, team: team, expiresAt: Date().addingTimeInterval(-1))
            let forever = try storedKey(store, team: team)

            let auth = Authenticator(store: store, config: AuthConfig(required: true, cacheSeconds: 60))
            #expect(try auth.authenticate(bearer(soon)).team == "search")
            #expect(try auth.authenticate(bearer(forever)).team == "search")
            do throws(TriageError) {
                _ = try auth.authenticate(bearer(past))
                Issue.record("an expired key was accepted")
            } catch {
                #expect(error.status == 401 && error.body.message.contains("expired at"), "\(error)")
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(throws: TriageError.self, "expired while its verification was cached (for 60 s)") { try auth.authenticate(bearer(soon)) }
            #expect(try auth.authenticate(bearer(forever)).team == "search")
        }
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
        #expect(TeamAdmin.parseDuration("0m") == 0, "a zero duration is a duration (a rotation's grace), never an expiry")
        #expect(TeamAdmin.parseDuration("1.5h") == 5_400)
        #expect(TeamAdmin.parseDuration("2027-01-01") == nil)
    }
}
