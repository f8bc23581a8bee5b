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
            let created = try env.run(["team", "create", "locked", "--budget", "10", "--config", cluster.configPath, "--data-dir", cluster.dataDir])
            #expect(created.status == 0, "\(created.output)")
            let made = try env.run(["key", "create", "--team", "locked", "--config", cluster.configPath, "--data-dir", cluster.dataDir])
            let key = try #require(made.output.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })
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
    }
}
