import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TriageCore
import TriageStore
import TriageWire

/// The coordinator's workers: found in the store, one connection each, balanced by fewest
/// requests in flight, pinged, and dropped when they stop answering.
final class WorkerPool: Sendable {
    private let store: Store
    private let config: TriageConfig
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var links: [String: WorkerLink] = [:]
        /// Workers being connected to, and when the last failed attempt was.
        var connecting: Set<String> = []
        var failedAt: [String: ContinuousClock.Instant] = [:]
    }

    init(store: Store, config: TriageConfig, logger: Logger) {
        self.store = store
        self.config = config
        self.logger = logger
    }

    /// Connected workers.
    var links: [WorkerLink] { state.withLock { Array($0.links.values) } }

    /// Connected workers whose process started before `cutoff`, by id.
    func links(startedBefore cutoff: Date) -> [WorkerLink] {
        links.filter { $0.startedAt < cutoff }.sorted { $0.workerID < $1.workerID }
    }

    /// Whether at least one worker is connected and taking requests.
    var isReady: Bool { links.contains { !$0.isDraining } }

    /// The available worker with the fewest requests in flight, not in `excluded`.
    func pick(excluding excluded: Set<String> = []) -> WorkerLink? {
        var best: WorkerLink?
        var bestLoad = Int.max
        for link in links where !excluded.contains(link.workerID) && link.isAvailable {
            let load = link.inFlight
            if load < bestLoad {
                best = link
                bestLoad = load
            }
        }
        return best
    }

    /// Waits up to `timeout` for an available worker.
    func waitForWorker(excluding excluded: Set<String>, timeout: Duration) async -> WorkerLink? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let link = pick(excluding: excluded) { return link }
            try? await Task.sleep(for: .milliseconds(20))
            if Task.isCancelled { return nil }
        }
        return pick(excluding: excluded)
    }

    /// Discovers workers and keeps their connections until cancelled.
    func run() async {
        let interval = Duration.milliseconds(Int64(config.workers.heartbeatSeconds * 1000))
        let stale = Duration.milliseconds(Int64(config.workers.staleSeconds * 1000))
        await withDiscardingTaskGroup { group in
            var lastRound = ContinuousClock.now
            var judgeFrom = ContinuousClock.now
            while !Task.isCancelled {
                for record in discover() {
                    group.addTask { await self.maintain(record) }
                }
                // A round that came late (this process starved of CPU, or a store read that waited)
                // sent no pings meanwhile: no worker is judged until it had time to answer new ones.
                if lastRound.duration(to: .now) > stale / 2 { judgeFrom = .now + stale / 2 }
                lastRound = .now
                let judging = ContinuousClock.now >= judgeFrom
                for link in links {
                    if judging, link.lastPong.duration(to: .now) > stale {
                        logger.warning("worker stopped answering pings; dropping it", metadata: ["triage.worker": "\(link.workerID)"])
                        link.close(unresponsive: true)
                    } else {
                        group.addTask { await link.ping() }
                    }
                }
                try? await Task.sleep(for: min(interval, .milliseconds(500)))
            }
            for link in links { link.close() }
        }
    }

    /// Workers in the store that are ready and not yet connected.
    private func discover() -> [WorkerRecord] {
        let records: [WorkerRecord]
        do {
            records = try store.liveWorkers(now: Date(), staleAfter: config.workers.staleSeconds)
        } catch {
            logger.warning("worker discovery failed", metadata: ["error": "\(error)"])
            return []
        }
        return state.withLock { s in
            records.filter { r in
                guard r.state == .ready, s.links[r.id] == nil, !s.connecting.contains(r.id) else { return false }
                if let failed = s.failedAt[r.id], failed.duration(to: .now) < .seconds(1) { return false }
                s.connecting.insert(r.id)
                return true
            }
        }
    }

    /// Connects to one worker and serves its connection until it closes.
    private func maintain(_ record: WorkerRecord) async {
        let maxFrame = config.limits.maxFrameBytes
        let maxStreamBuffer = config.limits.maxStreamBufferBytes
        do {
            let (channel, greeted) = try await ClientBootstrap(group: CoordinatorLoop.group)  // the loop chat requests run on (CoordinatorLoop)
                .connectTimeout(.seconds(2))
                .connect(unixDomainSocketPath: record.socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture { () throws -> (any Channel, EventLoopFuture<WorkerLinkHandler.Greeting>) in
                        let promise = channel.eventLoop.makePromise(of: WorkerLinkHandler.Greeting.self)
                        try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: maxFrame)
                        try channel.pipeline.syncOperations.addHandler(WorkerLinkHandler(socketPath: record.socketPath, startedAt: record.startedAt,
                                                                                                 maxStreamBuffer: maxStreamBuffer, greeted: promise))
                        return (channel, promise.futureResult)
                    }
                }
            let greeting: WorkerLinkHandler.Greeting
            do {
                greeting = try await greeted.get()
                guard greeting.hello.version == wireProtocolVersion else {
                    throw TriageError.internalError("worker \(record.id) speaks protocol v\(greeting.hello.version), this coordinator v\(wireProtocolVersion)")
                }
            } catch {
                try? await channel.close()
                throw error
            }
            let link = greeting.link
            state.withLock {
                $0.connecting.remove(record.id)
                $0.failedAt[record.id] = nil
                $0.links[record.id] = link
            }
            logger.info("worker connected", metadata: ["triage.worker": "\(record.id)", "pid": "\(greeting.hello.pid)"])
            try? await channel.closeFuture.get()
            state.withLock { _ = $0.links.removeValue(forKey: record.id) }
            link.closed(reason: "connection to worker \(record.id) closed")
            logger.info("worker disconnected", metadata: ["triage.worker": "\(record.id)"])
        } catch {
            logger.debug("could not connect to worker", metadata: ["triage.worker": "\(record.id)", "error": "\(error)"])
        }
        state.withLock {
            $0.connecting.remove(record.id)
            $0.failedAt[record.id] = .now
        }
    }
}
