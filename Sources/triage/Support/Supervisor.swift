import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Starts child processes (`triage worker`, `triage sim`), restarts any that exit, and stops
/// them all on graceful shutdown: SIGTERM, then SIGKILL after the grace period.
final class Supervisor: Service, Sendable {
    struct ChildSpec: Sendable {
        var name: String
        var arguments: [String]
    }

    private let executable: String
    private let grace: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var processes: [String: Process] = [:]
        var stopping = false
    }

    init(executable: String, grace: Duration, logger: Logger) {
        self.executable = executable
        self.grace = grace
        self.logger = logger
    }

    /// Starts a child now; it is started again whenever it exits: at once after a clean exit (a
    /// worker that drained for a config reload) of a child that ran for a second or more, otherwise
    /// after a second (a crash, or a child that cannot start).
    func start(_ spec: ChildSpec) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = spec.arguments
        let started = ContinuousClock.now
        p.terminationHandler = { [weak self] process in
            self?.exited(spec, status: process.terminationStatus, reason: process.terminationReason, ran: started.duration(to: .now))
        }
        try p.run()
        state.withLock { $0.processes[spec.name] = p }
        logger.info("started", metadata: ["child": "\(spec.name)", "pid": "\(p.processIdentifier)"])
    }

    private func exited(_ spec: ChildSpec, status: Int32, reason: Process.TerminationReason, ran: Duration) {
        let stopping = state.withLock { $0.stopping }
        if stopping { return }
        let clean = status == 0 && reason == .exit
        let delay: Duration = clean && ran >= .seconds(1) ? .zero : .seconds(1)
        if clean {
            logger.info("child exited cleanly; starting it again", metadata: ["child": "\(spec.name)"])
        } else {
            logger.warning("child exited; restarting in 1 s", metadata: ["child": "\(spec.name)", "status": "\(status)",
                                                                         "signal": "\(reason == .uncaughtSignal)"])
        }
        Task {
            try? await Task.sleep(for: delay)
            guard !self.state.withLock({ $0.stopping }) else { return }
            do { try self.start(spec) } catch {
                self.logger.error("restart failed", metadata: ["child": "\(spec.name)", "error": "\(error)"])
            }
        }
    }

    /// Pid of a running child.
    func pid(of name: String) -> Int32? {
        state.withLock { $0.processes[name] }.flatMap { $0.isRunning ? $0.processIdentifier : nil }
    }

    func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
    }

    /// SIGTERM to every child; SIGKILL to any still running after the grace period.
    func stopAll() async {
        let children = state.withLock { s -> [Process] in
            s.stopping = true
            return Array(s.processes.values)
        }
        for p in children where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while children.contains(where: \.isRunning), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for p in children where p.isRunning {
            logger.warning("child did not stop in time; killing it", metadata: ["pid": "\(p.processIdentifier)"])
            kill(p.processIdentifier, SIGKILL)
        }
    }
}
