import Foundation
import Synchronization
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// `triage reload` and SIGHUP: the config file applied to a running cluster.
    @Suite struct ConfigReloadTests {
        /// The simple tier's prices in ``ClusterSpec/yaml(dataDir:)``, and ten times them.
        static let simplePrice = "input_per_mtok: 0.15,  output_per_mtok: 0.60"
        static let simplePriceTimesTen = "input_per_mtok: 1.50,  output_per_mtok: 6.00"

        /// Rewrites the cluster's config file with `edit` applied to its text.
        static func edit(_ cluster: Cluster, _ edit: (String) -> String) throws {
            let text = try String(contentsOfFile: cluster.configPath, encoding: .utf8)
            let edited = edit(text)
            #expect(edited != text, "the edit changed nothing")
            try edited.write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
        }

        static func cost(_ r: HTTPResult) -> Double? { r.headers["x-triage-cost-usd"].flatMap(Double.init) }

        /// What the clients of a test under load saw.
        final class Tally: Sendable {
            let stop = Atomic<Bool>(false)
            let failures = Mutex<[String]>([])
            let served = Atomic<Int>(0)
        }

        @Test func aReloadUnderLoadAppliesNewPricesAndLimitsAndRestartsEveryWorkerWithoutFailingARequest() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, tpotMs: 2, maxBodyBytes: 65536, graceSeconds: 5))
            let before = try await cluster.chat("What is the capital of France?", model: "simple")
            #expect(before.status == 200, "\(before.text)")
            let oldCost = try #require(Self.cost(before))
            let oldPIDs = Set(try cluster.workers().map(\.pid))

            // Two clients keep requests in flight, whole and streamed, through the whole reload.
            let tally = Tally()
            let clients = (0..<2).map { n in
                Task {
                    while !tally.stop.load(ordering: .relaxed) {
                        do {
                            if n == 0 {
                                let r = try await cluster.chat("What is the capital of France?", model: "simple")
                                if r.status != 200 { tally.failures.withLock { $0.append("\(r.status) \(r.text)") } }
                            } else {
                                let s = try await cluster.http.stream(cluster.chatURL, json: chatBody("Name three colours.", model: "simple", stream: true))
                                if s.status != 200 || s.data.last != "[DONE]" { tally.failures.withLock { $0.append("stream \(s.status) \(s.raw)") } }
                            }
                            tally.served.add(1, ordering: .relaxed)
                        } catch {
                            tally.failures.withLock { $0.append("\(error)") }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))

            try Self.edit(cluster) {
                $0.replacingOccurrences(of: Self.simplePrice, with: Self.simplePriceTimesTen)
                    .replacingOccurrences(of: "max_body_bytes: 65536", with: "max_body_bytes: 4096")
            }
            let out = try await cluster.cli(["reload", "--wait", "0"])
            let generation = try #require(out.split(separator: " ").dropFirst().first.flatMap { Int64($0) }, "\(out)")
            let store = try cluster.store()
            let done = await eventually(timeout: .seconds(30), interval: .milliseconds(100)) {
                (try? store.configReload(generation: generation))??.outcome != nil
            }
            try await Task.sleep(for: .milliseconds(300))
            tally.stop.store(true, ordering: .relaxed)
            for c in clients { await c.value }

            #expect(done, "the reload did not finish\n\(cluster.up.logTail())")
            let reload = try #require(try store.configReload(generation: generation))
            #expect(reload.outcome == .applied, "\(reload.detail ?? "")")
            #expect(reload.detail?.contains("changed: tiers, limits.max_body_bytes") == true, "\(reload.detail ?? "")")
            #expect(reload.detail?.contains("workers restarted: w1, w2") == true, "\(reload.detail ?? "")")
            let failed = tally.failures.withLock { $0 }
            #expect(failed.isEmpty, "requests failed during the reload: \(failed)")
            #expect(tally.served.load(ordering: .relaxed) > 10, "the clients were served \(tally.served.load(ordering: .relaxed)) requests")

            // Every worker is a new process on the new prices; the coordinator takes the new limit.
            let newPIDs = Set(try cluster.workers().map(\.pid))
            #expect(newPIDs.count == 2 && newPIDs.isDisjoint(with: oldPIDs), "workers before \(oldPIDs), after \(newPIDs)")
            let after = try await cluster.chat("What is the capital of France?", model: "simple")
            let newCost = try #require(Self.cost(after))
            #expect(abs(newCost - oldCost * 10) < 1e-9, "cost \(oldCost) before, \(newCost) after")
            let big = try await cluster.chat(String(repeating: "word ", count: 1200), model: "simple")
            #expect(big.status == 413 && big.errorCode == "request_too_large", "\(big.status) \(big.text)")
            // So does the feedback route.
            let feedback = try await cluster.http.post(cluster.base + "/v1/feedback", json: .object([
                "request_id": .string(after.headers["x-triage-request-id"] ?? ""), "verdict": .string("good"),
                "comment": .string(String(repeating: "x", count: 5000)),
            ]))
            #expect(feedback.status == 413 && feedback.errorCode == "request_too_large", "\(feedback.status) \(feedback.text)")
        }

        @Test func withNoCoordinatorRunningTheCommandSaysSoInsteadOfWaitingForever() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let config = env.dir.file("stopped.yaml"), data = env.dir.file("stopped-data")
            try ClusterSpec(workers: 1).yaml(dataDir: data).write(toFile: config, atomically: true, encoding: .utf8)
            let r = try await env.run(["reload", "--wait", "1", "--config", config, "--data-dir", data])
            #expect(r.status != 0)
            #expect(r.output.contains("no coordinator took reload 1 up within 1 s"), "\(r.output)")
        }

        @Test func aFileThatDoesNotLoadChangesNothingAndSighupAndTheAdminAPIApplyAGoodOne() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "admin-" + UUID().uuidString
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            let oldCost = try #require(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")))
            let good = try String(contentsOfFile: cluster.configPath, encoding: .utf8)

            try (good + "tiers: [oops\n").write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
            let refused = try await env.run(["reload", "--config", cluster.configPath, "--data-dir", cluster.dataDir])
            #expect(refused.status != 0)
            #expect(refused.output.contains("nothing changed") && refused.output.contains("not valid YAML"), "\(refused.output)")
            let store = try cluster.store()
            #expect(try store.latestConfigReload() == nil, "a file that does not load is never handed to the cluster")
            #expect(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")) == oldCost)

            // The waiting command reports the outcome; with one worker, requests wait for its successor.
            try good.replacingOccurrences(of: Self.simplePrice, with: Self.simplePriceTimesTen)
                .write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
            let waiting = Task { try await cluster.chat("What is the capital of France?", model: "simple") }
            let out = try await cluster.cli(["reload"])
            #expect(out.contains("applied: changed: tiers; workers restarted: w1"), "\(out)")
            #expect(try await waiting.value.status == 200)
            let newCost = try #require(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")))
            #expect(abs(newCost - oldCost * 10) < 1e-9, "cost \(oldCost) before, \(newCost) after")

            // SIGHUP to the coordinator asks for the same, recorded under its own name.
            try good.write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
            cluster.up.signal(SIGHUP)
            let applied = await eventually(timeout: .seconds(20), interval: .milliseconds(100)) { () -> Bool in
                guard let r = try? store.latestConfigReload() else { return false }
                return r.requestedBy.hasPrefix("SIGHUP") && r.outcome == .applied
            }
            #expect(applied, "\(String(describing: try? store.latestConfigReload()))\n\(cluster.up.logTail())")
            #expect(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")) == oldCost)
            #expect(cluster.up.isRunning, "SIGHUP must not stop triage up")

            // The admin API asks the same (the coordinator checks the file), and shows how it went.
            #expect(try await cluster.http.post(cluster.base + "/admin/config/reload", body: []).status == 401)
            let admin = ["authorization": "Bearer \(adminKey)"]
            try good.replacingOccurrences(of: Self.simplePrice, with: Self.simplePriceTimesTen)
                .write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
            let asked = try await cluster.http.post(cluster.base + "/admin/config/reload", body: [], headers: admin)
            #expect(asked.status == 202, "\(asked.text)")
            let generation = try #require(try asked.json()["generation"]?.intValue)
            let url = cluster.base + "/admin/config/reloads/\(generation)"
            let finished = await eventually(timeout: .seconds(20), interval: .milliseconds(100)) { () -> Bool in
                guard let r = try? await cluster.http.get(url, headers: admin), r.status == 200 else { return false }
                return (try? r.json())?["status"]?.stringValue == "applied"
            }
            let shown = try await cluster.http.get(url, headers: admin)
            #expect(finished, "\(shown.text)")
            #expect(try shown.json()["requested_by"]?.stringValue?.hasPrefix("admin-api 127.0.0.1") == true, "\(shown.text)")
            #expect(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")).map { abs($0 - oldCost * 10) < 1e-9 } == true)
            #expect(try await cluster.http.get(cluster.base + "/admin/config/reloads/999", headers: admin).status == 404)
            let metrics = try await cluster.http.get(cluster.base + "/metrics").text
            #expect(metrics.contains("\ntriage_config_last_reload_successful 1"), "\(metrics)")

            // Asked through the API, a file that does not load fails at the coordinator, which keeps
            // serving by the file it had; the metric says the last reload failed.
            try (good + "tiers: [oops\n").write(toFile: cluster.configPath, atomically: true, encoding: .utf8)
            let bad = try await cluster.http.post(cluster.base + "/admin/config/reload", body: [], headers: admin)
            let badURL = cluster.base + "/admin/config/reloads/\(try #require(try bad.json()["generation"]?.intValue))"
            let failed = await eventually(timeout: .seconds(20), interval: .milliseconds(100)) { () -> Bool in
                guard let r = try? await cluster.http.get(badURL, headers: admin) else { return false }
                return (try? r.json())?["status"]?.stringValue == "failed"
            }
            let badShown = try await cluster.http.get(badURL, headers: admin)
            #expect(failed && badShown.text.contains("did not load, nothing changed"), "\(badShown.text)")
            #expect(Self.cost(try await cluster.chat("What is the capital of France?", model: "simple")).map { abs($0 - oldCost * 10) < 1e-9 } == true)
            #expect(try await cluster.http.get(cluster.base + "/metrics").text.contains("\ntriage_config_last_reload_successful 0"))
            try good.write(toFile: cluster.configPath, atomically: true, encoding: .utf8)

            let audit = try await cluster.cli(["audit"])
            #expect(audit.contains("config.reload") && audit.contains("SIGHUP") && audit.contains("admin-api"), "\(audit)")
        }
    }
}
