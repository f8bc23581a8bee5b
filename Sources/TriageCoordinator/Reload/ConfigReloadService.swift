import Foundation
import Logging
import ServiceLifecycle
import TriageCore
import TriageStore

/// Applies config reloads (`triage reload`, SIGHUP): watches the store for a new request, loads
/// the config file again, serves later requests by its tiers and limits, then restarts the
/// workers one at a time, each after another worker is taking requests, so traffic never stops
/// and no request in flight is lost (a worker drains before it exits). Writes the outcome back.
struct ConfigReloadService: Service {
    let store: Store
    let live: LiveConfig
    let pool: WorkerPool
    /// Loads the config file as at start (same path, environment and flags).
    let load: @Sendable () throws -> TriageConfig
    let logger: Logger
    /// How often the store is checked for a new request.
    var interval: Duration = .milliseconds(250)
    /// How long a restarted worker's successor may take to start and connect.
    var comeBack: Duration = .seconds(30)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // Requests made before this coordinator started and never finished are applied too:
            // the workers that started before them still run the old file.
            var done: Int64 = 0
            if let latest = try? store.latestConfigReload(), latest.outcome != nil { done = latest.generation }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let latest = try? store.latestConfigReload(), latest.generation > done else { continue }
                done = latest.generation
                if latest.outcome != nil { continue }
                await apply(latest)
            }
        }
    }

    /// Applies one reload request and records how it went.
    func apply(_ request: ConfigReload) async {
        let generation = request.generation
        note(generation, "loading the config file")
        let new: TriageConfig
        do {
            new = try load()
        } catch {
            finish(generation, .failed, "the config file did not load, nothing changed: \(error)")
            return
        }
        let old = live.config
        let plan = ConfigReloadPlan(from: old, to: new)
        guard plan.refused.isEmpty else {
            finish(generation, .failed, "\(plan.refused.joined(separator: " and ")) cannot change while the cluster runs; "
                   + "nothing changed (stop it, then start it on the new file)")
            return
        }
        live.replace(with: ConfigReloadPlan.coordinatorConfig(old, applying: new))
        logger.info("config reloaded", metadata: ["generation": "\(generation)", "changed": "\(plan.changed.joined(separator: ", "))"])
        var parts = [plan.isEmpty ? "the coordinator already ran this file" : "changed: " + plan.changed.joined(separator: ", ")]
        if !plan.needsCoordinatorRestart.isEmpty {
            parts.append("taken at the coordinator's next restart: " + plan.needsCoordinatorRestart.joined(separator: ", "))
        }
        let workers = pool.links(startedBefore: request.requestedAt)
        var restarted: [String] = []
        for (i, link) in workers.enumerated() where !link.isClosed {
            note(generation, (parts + ["restarting worker \(link.workerID) (\(i + 1) of \(workers.count))"]).joined(separator: "; "))
            if let failure = await restart(link, generation: generation, grace: old.shutdownGraceSeconds) {
                finish(generation, .failed, (parts + ["restarted: " + (restarted.isEmpty ? "none" : restarted.joined(separator: ", ")), failure])
                    .joined(separator: "; "))
                return
            }
            restarted.append(link.workerID)
        }
        parts.append(restarted.isEmpty ? "no worker to restart" : "workers restarted: " + restarted.joined(separator: ", "))
        finish(generation, .applied, parts.joined(separator: "; "))
    }

    /// Restarts one worker: waits until another worker takes requests (unless it is the only
    /// one), asks it to drain and exit, then waits for as many workers as before.
    /// - Returns: what went wrong, or nil.
    private func restart(_ link: WorkerLink, generation: Int64, grace: Double) async -> String? {
        let others = pool.links.filter { $0 !== link }
        if !others.isEmpty {
            let ok = await waitUntil(comeBack) { pool.links.contains { $0 !== link && $0.isAvailable } }
            if !ok { return "no other worker was taking requests within \(comeBack), so \(link.workerID) was left running" }
        }
        let before = pool.links.filter { !$0.isDraining }.count
        link.restart(reason: "config reload \(generation)")
        logger.info("restarting worker for a config reload", metadata: ["triage.worker": "\(link.workerID)", "generation": "\(generation)"])
        let drained = await waitUntil(.seconds(grace) + .seconds(10)) { link.isClosed }
        if !drained { return "worker \(link.workerID) did not finish draining within shutdown_grace_s + 10 s" }
        let back = await waitUntil(comeBack) { pool.links.filter { !$0.isDraining }.count >= before }
        if !back {
            return "after \(link.workerID) restarted, the workers did not come back to \(before) within \(comeBack) "
                + "(under `triage up` they restart at once; under compose, the worker service needs a restart policy)"
        }
        return nil
    }

    private func waitUntil(_ timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    private func note(_ generation: Int64, _ detail: String) {
        do { try store.noteConfigReload(generation: generation, detail: detail) } catch {
            logger.warning("could not record a config reload's progress", metadata: ["error": "\(error)"])
        }
    }

    private func finish(_ generation: Int64, _ outcome: ConfigReload.Outcome, _ detail: String) {
        if outcome == .failed {
            logger.error("config reload failed", metadata: ["generation": "\(generation)", "detail": "\(detail)"])
        } else {
            logger.info("config reload done", metadata: ["generation": "\(generation)", "detail": "\(detail)"])
        }
        do { try store.finishConfigReload(generation: generation, outcome: outcome, detail: detail) } catch {
            logger.warning("could not record a config reload's outcome", metadata: ["error": "\(error)"])
        }
    }
}
