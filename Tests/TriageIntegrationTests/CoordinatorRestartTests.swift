import Foundation
import Synchronization
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// The coordinator restarted under load while its workers (started separately, as in compose) stay up:
    /// no settled ledger row is lost, the new coordinator finds the same worker processes again, and the
    /// cluster serves normally.
    @Suite struct CoordinatorRestartTests {
        /// How one client request ended.
        struct Outcome: Sendable {
            var stream: Bool
            var status = 0
            var code: String?
            var requestID: String?
            /// What the client was told it was charged (`x-triage-cost-usd`, or a stream's cost comment).
            var cost: Money?
            var worker: String?
            /// A transport error (connection refused or reset): no HTTP answer.
            var transport: String?
            /// Whether it was a whole answer (200; a stream to `[DONE]`).
            var answered = false
            var afterRestart = false
        }

        final class Load: Sendable {
            let running = Atomic<Bool>(true)
            let restarted = Atomic<Bool>(false)
            let outcomes = Mutex<[Outcome]>([])
        }

        /// SIGTERM: the old coordinator drains, so every request it took is answered and the ledger holds
        /// exactly what clients were charged. SIGKILL: requests it held are cut (the client sees a reset;
        /// the worker stops them), so the ledger may hold what a cut request had settled, never less than
        /// what clients were charged.
        @Test(arguments: [SIGTERM, SIGKILL])
        func restartUnderLoadLosesNoSettledRowAndFindsTheWorkersAgain(signal: Int32) async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim(ttftMs: 150, tpotMs: 5)
            let dataDir = env.dir.file("data")
            let spec = ClusterSpec(workers: 2, provider: .openAI(baseURL: sim.openAIBase), authRequired: true)
            let config = try env.dir.write("cluster.yaml", spec.yaml(dataDir: dataDir))
            let common = ["--config", config, "--data-dir", dataDir]
            let team = try await env.run(["team", "create", "restart", "--budget", "100"] + common)
            #expect(team.status == 0, "\(team.output)")
            let created = try await env.run(["key", "create", "--team", "restart"] + common)
            let key = try #require(created.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") }, "\(created.output)")
            let auth = ["Authorization": "Bearer \(key)"]

            let workers = [try env.spawn("worker-a", ["worker", "--id", "wa"] + common),
                           try env.spawn("worker-b", ["worker", "--id", "wb"] + common)]
            let port = try freeTCPPort()
            func startCoordinator(_ name: String) async throws -> Cluster {
                let portFile = env.dir.file("\(name).port")
                let p = try env.spawn(name, ["coordinator", "--port", String(port), "--port-file", portFile] + common)
                _ = try await env.waitForPortFile(portFile, of: p)
                let cluster = Cluster(env: env, up: p, port: port, configPath: config, dataDir: dataDir, spec: spec)
                try await cluster.waitReady(workers: 2)
                return cluster
            }
            let first = try await startCoordinator("coordinator-1")
            let pidsBefore = Dictionary(uniqueKeysWithValues: try first.workers().map { ($0.id, $0.pid) })
            #expect(pidsBefore == ["wa": workers[0].pid, "wb": workers[1].pid], "\(pidsBefore)")

            let http = env.http
            let url = first.chatURL
            let load = Load()
            let clients = Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in 0..<6 {
                        group.addTask {
                            var n = 0
                            while load.running.load(ordering: .relaxed) {
                                n += 1
                                let stream = (client + n) % 2 == 0
                                var o = Outcome(stream: stream, afterRestart: load.restarted.load(ordering: .relaxed))
                                let body = chatBody("What is the capital of France? \(client)-\(n)", stream: stream)
                                do {
                                    if stream {
                                        let s = try await http.stream(url, json: body, headers: auth)
                                        o.status = s.status
                                        o.requestID = s.headers["x-triage-request-id"]
                                        o.worker = s.headers["x-triage-worker"]
                                        o.cost = s.trailer["x-triage-cost-usd"].flatMap { Money(decimalString: $0) }
                                        o.code = s.errorEvent?["code"]?.stringValue ?? (s.status == 200 ? nil : (try? JSONValue.parse(Array(s.raw.utf8)))?["error"]?["code"]?.stringValue)
                                        o.answered = s.status == 200 && s.sawDone
                                        if s.status == 200 && !s.sawDone && s.errorEvent == nil { o.transport = "stream ended without [DONE] or an error event" }
                                    } else {
                                        let r = try await http.post(url, json: body, timeout: .seconds(15), headers: auth)
                                        o.status = r.status
                                        o.code = r.errorCode
                                        o.requestID = r.headers["x-triage-request-id"]
                                        o.worker = r.headers["x-triage-worker"]
                                        o.cost = r.headers["x-triage-cost-usd"].flatMap { Money(decimalString: $0) }
                                        o.answered = r.status == 200
                                    }
                                } catch {
                                    o.transport = "\(error)"
                                    try? await Task.sleep(for: .milliseconds(50))  // refused while no coordinator listens
                                }
                                load.outcomes.withLock { $0.append(o) }
                            }
                        }
                    }
                }
            }

            try await Task.sleep(for: .milliseconds(1200))
            let stoppedAt = ContinuousClock.now
            first.up.signal(signal)
            #expect(await first.up.waitForExit(timeout: .seconds(10)), "the coordinator did not exit on signal \(signal)")
            if signal == SIGTERM { #expect(first.up.exitCode == 0, "a drained coordinator exits 0: \(first.up.logTail())") }
            #expect(workers.allSatisfy { $0.isRunning }, "the workers stay up while the coordinator is gone")
            load.restarted.store(true, ordering: .relaxed)
            let second = try await startCoordinator("coordinator-2")
            let downFor = stoppedAt.duration(to: .now)
            try await Task.sleep(for: .milliseconds(1200))
            load.running.store(false, ordering: .relaxed)
            _ = try await withDeadline(.seconds(25), "the client requests after the restart") { await clients.value }

            let all = load.outcomes.withLock { $0 }
            let answered = all.filter(\.answered)
            let transport = all.filter { $0.transport != nil }
            let httpErrors = all.filter { !$0.answered && $0.transport == nil }
            #expect(answered.count >= 10, "too few answers: \(all.count) requests, \(answered.count) answered")
            #expect(answered.contains { $0.afterRestart }, "answers after the restart")
            // Answers carry what they cost; HTTP errors are OpenAI-shaped, from a coordinator that could not
            // yet reach a worker, never a lost or broken answer of a drained one.
            for o in answered { #expect(o.cost != nil && o.requestID != nil, "an answer without its cost or id: \(o)") }
            for o in httpErrors { #expect(o.status >= 500 && o.code != nil && o.code != "internal_error", "unexpected error: \(o)") }
            if signal == SIGTERM {
                #expect(httpErrors.allSatisfy { $0.afterRestart }, "a draining coordinator answers what it took: \(httpErrors)")
                #expect(!transport.contains { $0.transport?.contains("without [DONE]") == true }, "a cut stream: \(transport)")
            }

            // The ledger: every charged request's rows sum to its charge; in all, the ledger holds what clients
            // were charged (SIGTERM: exactly; SIGKILL: plus at most what each cut request had settled).
            let store = try second.store()
            let teamID = try #require(try store.team(named: "restart")).id
            var charges: [String: Int64] = [:]
            for o in all { if let id = o.requestID, let c = o.cost { charges[id, default: 0] += c.nanoUSD } }
            let ledgerByRequest = try await store.ledgerByRequest(teamID: teamID, matching: charges)
            for (id, charge) in charges {
                #expect(ledgerByRequest[id] == charge, "request \(id): charged \(charge), ledger \(ledgerByRequest[id] ?? -1)")
            }
            let ledger = ledgerByRequest.values.reduce(0, +)
            let charged = charges.values.reduce(0, +)
            let uncharged = ledgerByRequest.filter { charges[$0.key] == nil && $0.value != 0 }
            if signal == SIGTERM {
                #expect(ledger == charged, "ledger \(ledger) nano-USD, clients charged \(charged); rows of no charged request: \(uncharged)")
            } else {
                let largest = charges.values.max() ?? 0
                #expect(ledger >= charged, "ledger \(ledger) < charged \(charged): a settled row is missing")
                #expect(uncharged.count <= transport.count && ledger - charged <= Int64(transport.count) * largest,
                        "ledger \(ledger), charged \(charged): \(uncharged.count) rows of requests no client saw charged, \(transport.count) cut")
            }
            // The cut requests' reservations were released or settled by the workers, not left to lapse.
            let reserved = await poll(timeout: .seconds(5)) { () -> Int? in
                let n = try? store.read { db in try db.queryFirst("SELECT count(*) FROM reservations WHERE expires_at > ?", [.real(Date().timeIntervalSince1970)]) { $0.int64(0) } }
                return n == 0 ? 0 : nil
            }
            #expect(reserved == 0, "reservations left after the restart")

            // The same worker processes serve through the new coordinator.
            #expect(workers.allSatisfy { $0.isRunning })
            let pidsAfter = Dictionary(uniqueKeysWithValues: try second.workers().map { ($0.id, $0.pid) })
            #expect(pidsAfter == pidsBefore, "worker rows after the restart: \(pidsAfter)")
            let ready = try await http.get(second.base + "/readyz")
            let ids = Set((try ready.json())["workers"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            #expect(ids == ["wa", "wb"], "\(ready.text)")
            let after = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for i in 0..<8 {
                    group.addTask { try await http.post(second.chatURL, json: chatBody("What is the capital of France? after \(i)"), headers: auth) }
                }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
            #expect(after.allSatisfy { $0.status == 200 }, "\(after.map(\.status))")
            let servedBy = Set(after.compactMap { $0.headers["x-triage-worker"] })
            #expect(servedBy.isSubset(of: Set(["wa", "wb"])), "\(servedBy)")
            #expect(downFor < .seconds(signal == SIGTERM ? 12 : 8), "restart took \(downFor)")
        }
    }
}
