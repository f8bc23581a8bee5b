import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// `triage backup` against a cluster that keeps serving, and a restore of its copy into a
    /// fresh data directory that a new cluster then serves from.
    @Suite struct BackupTests {
        @Test func aBackupTakenUnderLoadRestoresIntoAWorkingCluster() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, authRequired: true))
            _ = try await cluster.cli(["team", "create", "research", "--budget", "100", "--rpm", "6000"])
            let key = try await cluster.createKey(team: "research")
            let auth = ["Authorization": "Bearer \(key)"]
            let body = chatBody("What is the capital of France?")
            let first = try await cluster.http.post(cluster.chatURL, json: body, headers: auth)
            #expect(first.status == 200, "\(first.text)")
            let store = try cluster.store()
            let before = try store.ledgerTotalNano()

            // Requests keep coming while the backup runs.
            let load = Task { () -> [Int] in
                var statuses: [Int] = []
                for _ in 0..<40 {
                    statuses.append((try? await cluster.http.post(cluster.chatURL, json: body, headers: auth))?.status ?? 0)
                }
                return statuses
            }
            try await Task.sleep(for: .milliseconds(100))
            let backupDir = env.dir.file("backup")
            let printed = try await cluster.cli(["backup", "--to", backupDir])
            let statuses = await load.value
            #expect(statuses.allSatisfy { $0 == 200 }, "serving went on during the backup: \(statuses)")
            #expect(printed.contains("triage.sqlite:") && printed.contains("triage-requests.sqlite:"), "\(printed)")
            #expect(printed.components(separatedBy: "integrity ok").count == 3, "both copies checked: \(printed)")
            let after = try store.ledgerTotalNano()
            let copied = try #require(try BackupCheck.read(backupDir + "/triage.sqlite", schema: .main).ledgerNano)
            #expect(before <= copied && copied <= after, "the copy is a snapshot taken between the two: \(before) ≤ \(copied) ≤ \(after)")
            await #expect(throws: HarnessError.self, "a second backup into the same place is refused") {
                try await cluster.cli(["backup", "--to", backupDir])
            }

            // Restore: the two files into an empty data directory, then a new cluster on it.
            let restoredEnv = try IntegrationEnv()
            defer { restoredEnv.tearDown() }
            let data = restoredEnv.dir.file("data")
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            for name in ["triage.sqlite", "triage-requests.sqlite"] {
                try FileManager.default.copyItem(atPath: backupDir + "/" + name, toPath: data + "/" + name)
            }
            let restored = try await restoredEnv.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let oldWorkers = Set(try cluster.workers().map(\.pid))
            #expect(try restored.workers().map(\.pid).allSatisfy { !oldWorkers.contains($0) }, "the copy carried no worker registrations")
            #expect(try restored.store().ledgerTotalNano() == copied)
            let served = try await restored.http.post(restored.chatURL, json: body, headers: auth)
            #expect(served.status == 200, "the key, kept as its hash, works on the restored store: \(served.text)")
            #expect(served.headers["x-ratelimit-limit-requests"] == "6000", "the team's settings came along")
            let cost = try #require(served.headers["x-triage-cost-usd"].flatMap(Money.init(decimalString:)))
            // (The answer leaves before its settlement is written.)
            let settled = await eventually(timeout: .seconds(5), interval: .milliseconds(50)) { () -> Bool in
                guard let out = try? await restored.cli(["team", "show", "research", "--json"]),
                      let spent = (try? JSONValue.parse(Array(out.utf8)))?["spent_usd"]?.stringValue.flatMap(Money.init(decimalString:)) else { return false }
                return spent.nanoUSD == copied + cost.nanoUSD
            }
            let shown = settled ? "" : (try? await restored.cli(["team", "show", "research", "--json"])) ?? ""
            #expect(settled, "the restored ledger goes on from the copy's: \(shown) copied \(copied) cost \(cost.nanoUSD) ledger \((try? restored.store().ledgerTotalNano()) ?? -1)")
        }

        @Test func restoreRefusesARunningClusterThenPutsTheBackupInPlaceKeepingWhatItReplaced() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            _ = try await cluster.cli(["team", "create", "research"])
            let key = try await cluster.createKey(team: "research")
            let auth = ["Authorization": "Bearer \(key)"]
            let body = chatBody("What is the capital of France?")
            #expect(try await cluster.http.post(cluster.chatURL, json: body, headers: auth).status == 200)
            let store = try cluster.store()
            #expect(await eventually(timeout: .seconds(5)) { ((try? store.ledgerTotalNano()) ?? 0) > 0 }, "the answer's settlement")
            let backedUp = try store.ledgerTotalNano()
            let backupDir = env.dir.file("backup")
            _ = try await cluster.cli(["backup", "--to", backupDir])
            // Spend after the backup, which the restore takes back.
            #expect(try await cluster.http.post(cluster.chatURL, json: body, headers: auth).status == 200)
            #expect(await eventually(timeout: .seconds(5)) { ((try? store.ledgerTotalNano()) ?? 0) > backedUp })
            let later = try store.ledgerTotalNano()
            store.close()

            await #expect(throws: HarnessError.self, "refused while the cluster runs") { try await cluster.cli(["restore", "--from", backupDir]) }
            #expect(try Store(path: Store.defaultPath(dataDir: cluster.dataDir)).ledgerTotalNano() == later, "the refusal changed nothing")

            await cluster.up.stop()
            // A coordinator alone sends no heartbeat, but holds the store open: refused too.
            let lone = try await env.startCluster(ClusterSpec(workers: 0, authRequired: true), name: "lone")
            do {
                _ = try await lone.cli(["restore", "--from", backupDir])
                Issue.record("restored under a running coordinator")
            } catch {
                #expect("\(error)".contains("has the store open"), "\(error)")
            }
            await lone.up.stop()
            let printed = try await cluster.cli(["restore", "--from", backupDir])
            #expect(printed.contains("previous store files moved to"), "\(printed)")
            let aside = try #require(printed.split(separator: "\n").first.map { String($0.dropFirst("previous store files moved to ".count)) })
            let kept = try Store(path: aside + "/triage.sqlite")
            #expect(try kept.ledgerTotalNano() == later, "the replaced store is kept whole, nothing deleted")
            kept.close()

            let restarted = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true), name: "restarted")
            let restored = try restarted.store()
            #expect(try restored.ledgerTotalNano() == backedUp, "the ledger is the backup's again")
            let served = try await restarted.http.post(restarted.chatURL, json: body, headers: auth)
            #expect(served.status == 200, "\(served.text)")
        }
    }
}
