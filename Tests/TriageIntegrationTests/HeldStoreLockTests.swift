import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Requests are served on event loops; a store write waiting for another process's lock must
    /// not stall a worker's loop (its pings, its other requests).
    @Suite struct HeldStoreLockTests {
        @Test func aWorkerWhoseHeartbeatWaitsForTheStoreLockStillAnswersPingsAndServesAfterwards() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            let key = try await cluster.createTeamAndKey("locked", budget: "10")
            let auth = ["Authorization": "Bearer \(key)"]
            let warm = try await cluster.http.post(cluster.chatURL, json: chatBody("What is the capital of France?"), headers: auth)
            #expect(warm.status == 200)

            // Another process holds the write lock for 4 s: twice the time after which the
            // coordinator drops a worker that does not answer its pings (stale_s 2).
            let holder = try SQLiteConnection(path: Store.defaultPath(dataDir: cluster.dataDir))
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            let released = Task {
                try await Task.sleep(for: .seconds(4))
                try holder.exec("ROLLBACK")
            }
            // By now the worker's heartbeat waits for the lock on its store connection. The request
            // reads the team's budget on the worker's loop, then waits for the lock to reserve.
            try await Task.sleep(for: .milliseconds(800))
            let started = ContinuousClock.now
            let answer = try await cluster.http.post(cluster.chatURL, json: chatBody("What is the capital of Spain?"), timeout: .seconds(20),
                                                     headers: auth)
            try await released.value
            #expect(answer.status == 200, "\(answer.text)")
            #expect(started.duration(to: .now) < .seconds(10))
            let log = cluster.up.logTail(400)
            #expect(!log.contains("stopped answering pings"), "the worker's loop stalled while the lock was held:\n\(log)")
        }
        @Test func theCoordinatorsLoopAnswersWhileAnAdminWriteWaitsForTheStoreLock() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "admin-" + UUID().uuidString
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true, environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            let key = try await cluster.createTeamAndKey("t")

            let holder = try SQLiteConnection(path: Store.defaultPath(dataDir: cluster.dataDir))
            defer { holder.close() }
            try holder.exec("BEGIN IMMEDIATE")
            let http = cluster.http
            // An admin write waits for the lock on the coordinator's store connection...
            let admin = Task {
                try await http.post(cluster.base + "/admin/teams", json: .object(["name": .string("late")]), timeout: .seconds(20),
                                    headers: ["Authorization": "Bearer \(adminKey)"])
            }
            try await Task.sleep(for: .milliseconds(300))
            // ...while a chat request looks its key up (the test cluster caches no key) on the loop.
            let chat = Task {
                try await http.post(cluster.chatURL, json: chatBody("What is the capital of Italy?"), timeout: .seconds(20),
                                    headers: ["Authorization": "Bearer \(key)"])
            }
            try await Task.sleep(for: .milliseconds(300))
            let asked = ContinuousClock.now
            let health = try await http.get(cluster.base + "/healthz")
            let took = asked.duration(to: .now)
            try await Task.sleep(for: .milliseconds(1500))
            try holder.exec("ROLLBACK")
            #expect(health.status == 200)
            #expect(took < .seconds(1), "the coordinator's loop answered /healthz after \(took) while the lock was held")
            let answered = try await chat.value
            #expect(answered.status == 200, "\(answered.text)\n\(cluster.up.logTail(60))")
            #expect(try await admin.value.status == 201)
            // Worker discovery waited for the store too: the coordinator must not take its own
            // stall for a worker that stopped answering.
            #expect(!cluster.up.logTail(400).contains("stopped answering pings"))
        }
    }
}
