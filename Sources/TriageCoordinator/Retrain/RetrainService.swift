import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TriageCore
import TriageStore

/// Scheduled retraining inside the coordinator (`retrain: {every_h, data}`): every interval, a
/// ``Retrainer`` run with `--install` semantics (the guardrail decides), on a thread of its own so
/// the training never occupies the server's threads. Graceful shutdown stops waiting for a run in
/// progress (nothing is installed unless the run reaches its final transaction). A run is skipped
/// when nothing was learned since the active version was installed, or since the last candidate
/// the guardrail kept out (same labels, same data: the same candidate again). That candidate is
/// recorded in the store, so a restarted coordinator skips too.
struct RetrainService: Service {
    let schedule: RetrainSchedule
    let store: Store
    let logger: Logger

    func run() async throws {
        let interval = Duration.milliseconds(Int64(schedule.everyHours * 3_600_000))
        logger.info("retraining scheduled", metadata: ["every_h": "\(schedule.everyHours)", "data": "\(schedule.data.joined(separator: ","))"])
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            let finished = try? await cancelWhenGracefulShutdown { await self.runOnce() }
            if finished == nil { return }
        }
    }

    /// Whether anything was learned since the active version was installed (a misroute, a shadow
    /// comparison or feedback); always true without an active version.
    func hasNewLabels() throws -> Bool {
        guard let active = try store.classifierVersions().first(where: \.active) else { return true }
        return try !store.misroutes(limit: 1, since: active.createdAt).isEmpty
            || !store.shadowComparisons(limit: 1, since: active.createdAt).isEmpty
            || !store.allFeedback(since: active.createdAt).isEmpty
    }

    /// The options of a scheduled run.
    var options: Retrainer.Options {
        var options = Retrainer.Options(data: schedule.data)
        options.command = "coordinator schedule (retrain.every_h \(schedule.everyHours))"
        options.actor = "coordinator (scheduled retrain)"
        options.thresholds = schedule.thresholds
        return options
    }

    /// One run, logged (skipped when nothing new was learned). Returns when it finished or the
    /// waiting task was cancelled.
    func runOnce() async {
        let inputs: RetrainInputs
        let options = self.options
        do {
            guard try hasNewLabels() else {
                logger.debug("retraining skipped: no misroutes, shadow verdicts or feedback since the active version")
                return
            }
            inputs = try RetrainInputs.current(store: store, data: schedule.data, settings: options.settings)
            if let kept = try store.retrainKeptOut(), kept.inputs == inputs.fingerprint {
                logger.info("retraining skipped: nothing new since the last candidate was kept out",
                            metadata: ["triage.retrain": "\(kept.verdict)", "labels": "\(inputs.labels)",
                                       "kept_out_at": "\(ISO8601DateFormatter().string(from: kept.recordedAt))"])
                return
            }
        } catch {
            logger.error("retraining failed", metadata: ["error": "\(error)"])
            return
        }
        let started = ContinuousClock.now
        let retrainer = Retrainer(store: store, options: options)
        let data = schedule.data
        let result = await Self.onThread { () -> Result<Retrainer.Outcome, RetrainError> in
            do {
                return .success(try retrainer.run(base: try Retrainer.load(data)))
            } catch let e as RetrainError {
                return .failure(e)
            } catch {
                return .failure(RetrainError("\(error)"))
            }
        }
        let seconds = String(format: "%.1f", started.duration(to: .now).milliseconds / 1000)
        switch result {
        case .success(let o)?:
            do {
                try store.setRetrainKeptOut(o.installed != nil ? nil : RetrainKeptOut(inputs: inputs.fingerprint, verdict: o.verdict, recordedAt: Date()))
            } catch {
                logger.warning("cannot record the retraining outcome: the next run may train the same candidate again", metadata: ["error": "\(error)"])
            }
            var metadata: Logger.Metadata = [
                "triage.retrain": "\(o.verdict)", "triage.retrain.apgr": "\(o.candidate.apgr)",
                "triage.retrain.accuracy": "\(o.candidate.accuracy)", "seconds": "\(seconds)",
            ]
            if let same = o.comparison.candidateAtActiveShares {
                metadata["triage.retrain.accuracy_at_active_shares"] = "\(same.accuracy)"
            }
            logger.info("retrained", metadata: metadata)
        case .failure(let e)?:
            logger.error("retraining failed", metadata: ["error": "\(e)"])
        case nil:
            logger.info("retraining abandoned at shutdown")
        }
    }

    /// Runs `work` on a new thread; nil when the calling task is cancelled first.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        let state = Mutex<(continuation: CheckedContinuation<T?, Never>?, cancelled: Bool)>((nil, false))
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.cancelled { return true }
                    s.continuation = c
                    return false
                }
                if resumeNow { c.resume(returning: nil); return }
                Thread.detachNewThread {
                    let value = work()
                    state.withLock { s in
                        s.continuation?.resume(returning: value)
                        s.continuation = nil
                    }
                }
            }
        } onCancel: {
            state.withLock { s in
                s.cancelled = true
                s.continuation?.resume(returning: nil)
                s.continuation = nil
            }
        }
    }
}

extension Duration {
    fileprivate var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
