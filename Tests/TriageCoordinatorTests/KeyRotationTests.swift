import Foundation
import Testing
@testable import TriageCoordinator
import TriageCore
import TriageStore

/// `triage key rotate`: a new key for the same team and name, the old one working for the grace
/// period only, a key's lifetime carried over, and a key never rotated twice.
@Suite struct KeyRotationTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theNewKeyServesTheTeamAndTheOldOneStopsAfterTheGrace() async throws {
        try await withSearchTeam { store, team in
            let old = try storedKey(store, team: team)
            let admin = TeamAdmin(store: store, actor: "cli ops@h", now: { t0 })
            let rotated = try admin.rotateKey(old.prefix, grace: "2h")
            #expect(rotated.oldPrefix == old.prefix)
            #expect(rotated.oldExpiresAt == "2027-01-15T10:00:00Z", "two hours after t0 (2027-01-15T08:00:00Z)")
            #expect(rotated.key.team == "search" && rotated.key.expiresAt == nil, "a key that never expired is replaced by one that never does")
            let new = try #require(APIKey(parsing: rotated.key.key))
            #expect(try store.key(prefix: new.prefix)?.hash == new.hash, "the new key is stored as its hash")
            let stored = try #require(try store.key(prefix: old.prefix))
            #expect(stored.expiresAt == t0.addingTimeInterval(7_200))
            #expect(stored.replacedBy == rotated.key.id)
            #expect(stored.revokedAt == nil, "it keeps working until then")

            do throws(TriageError) {
                _ = try admin.rotateKey(old.prefix)
                Issue.record("a key was rotated twice")
            } catch {
                #expect(error.status == 409 && error.body.message.contains("key \(new.prefix) replaced it"), "\(error)")
            }
            #expect(try store.auditEvents().first?.detail
                    == "key \(old.prefix) (id 1) → key \(new.prefix) (id \(rotated.key.id), never expires); \(old.prefix) stops at 2027-01-15T10:00:00Z")
        }
    }

    @Test func aKeyWithALifetimeIsReplacedByOneWithTheSameLifetime() async throws {
        try await withSearchTeam { store, team in
            // Created 10 days before t0 with 90 days to live.
            let key = APIKey.generate()
            _ = try store.createKey(teamID: team.id, name: "notebook", prefix: key.prefix, hash: key.hash,
                                   expiresAt: t0.addingTimeInterval(80 * 86_400), now: t0.addingTimeInterval(-10 * 86_400))
            let admin = TeamAdmin(store: store, actor: "cli ops@h", now: { t0 })
            let rotated = try admin.rotateKey(key.prefix)
            let format = ISO8601DateFormatter()
            #expect(rotated.key.expiresAt == format.string(from: t0.addingTimeInterval(90 * 86_400)), "90 days from now")
            #expect(rotated.oldExpiresAt == format.string(from: t0.addingTimeInterval(86_400)), "the default grace is a day")
            #expect(try store.key(prefix: rotated.key.prefix)?.name == "notebook")
        }
    }

    @Test func theOldKeyNeverLivesLongerThanItWouldHaveAndBadValuesAreRefused() async throws {
        try await withSearchTeam { store, team in
            let soon = try storedKey(store, team: team, expiresAt: t0.addingTimeInterval(600))
            let admin = TeamAdmin(store: store, actor: "cli ops@h", now: { t0 })
            let rotated = try admin.rotateKey(soon.prefix, grace: "24h", expires: "30d")
            #expect(rotated.oldExpiresAt == ISO8601DateFormatter().string(from: t0.addingTimeInterval(600)), "it expired in 10 minutes anyway")
            #expect(rotated.key.expiresAt == ISO8601DateFormatter().string(from: t0.addingTimeInterval(30 * 86_400)))

            let other = try storedKey(store, team: team)
            #expect(try admin.rotateKey(other.prefix, grace: "0").oldExpiresAt == ISO8601DateFormatter().string(from: t0), "grace 0: at once")
            let third = try storedKey(store, team: team)
            for (grace, expires, param) in [("2027-01-01", nil, "grace"), ("soon", nil, "grace"), (nil, "yesterday", "expires")] as [(String?, String?, String)] {
                do throws(TriageError) {
                    _ = try admin.rotateKey(third.prefix, grace: grace, expires: expires)
                    Issue.record("\(grace ?? "-") / \(expires ?? "-") was accepted")
                } catch {
                    #expect(error.body.param == param, "\(error)")
                }
            }
            do throws(TriageError) {
                _ = try admin.rotateKey("nope")
                Issue.record("an unknown key was rotated")
            } catch {
                #expect(error.status == 404)
            }
        }
    }
}
