import Foundation
import Synchronization

/// A child process started with `posix_spawn` in a process group of its own, with its
/// output going to a log file. ``stop(grace:)`` sends SIGTERM, waits, then SIGKILLs the
/// process, everything it started (found through `/proc`) and its process group, and reaps it.
/// Tests await the waits (``waitForExit(timeout:)``, ``stop(grace:)``, ``run(executable:arguments:logPath:timeout:)``):
/// a blocked thread is one of the test process's two cooperative threads on this machine, and
/// the unit tests running beside the integration tests time out when both are blocked.
final class ChildProcess: Sendable {
    let name: String
    let pid: pid_t
    let logPath: String
    /// The raw `waitpid` status once the process has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    private init(name: String, pid: pid_t, logPath: String) {
        self.name = name
        self.pid = pid
        self.logPath = logPath
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        var description: String { "posix_spawn \(executable) failed: \(String(cString: strerror(code)))" }
    }

    /// Starts `executable arguments...` with stdout and stderr appended to `logPath`.
    /// `TRIAGE_*` variables of the test's environment are not passed on, so only the
    /// arguments configure the child.
    static func spawn(name: String, executable: String, arguments: [String], logPath: String,
                      environment extra: [String: String] = [:]) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setpgroup(&attr, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRIAGE_") }.merging(extra) { _, new in new }
            .map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else { throw SpawnFailed(executable: executable, code: rc) }
        return ChildProcess(name: name, pid: pid, logPath: logPath)
    }

    /// Runs a command to completion and returns its exit status and output (stdout and stderr).
    /// Waits without holding a thread, so a long command (`triage train`) leaves the test
    /// process's few cooperative threads to the tests running beside it.
    static func run(executable: String, arguments: [String], logPath: String,
                    timeout: Duration = .seconds(20)) async throws -> (status: Int32, output: String) {
        let p = try spawn(name: "run", executable: executable, arguments: arguments, logPath: logPath)
        guard await p.waitForExit(timeout: timeout) else {
            await p.stop(grace: .milliseconds(100))
            throw TimedOut(what: "\(executable) \(arguments.joined(separator: " "))", limit: timeout)
        }
        return (p.exitCode ?? -1, (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }

    /// Reaps the process if it has exited; returns whether it is still running.
    var isRunning: Bool {
        reaped.withLock { status in
            if status != nil { return false }
            var st: Int32 = 0
            let r = waitpid(pid, &st, WNOHANG)
            if r == pid {
                status = st
                return false
            }
            if r < 0 {
                status = -1
                return false
            }
            return true
        }
    }

    /// The exit code once it exited normally (128 + signal when killed by a signal).
    var exitCode: Int32? {
        guard !isRunning, let st = reaped.withLock({ $0 }) else { return nil }
        let sig = st & 0x7f
        return sig == 0 ? (st >> 8) & 0xff : 128 + sig
    }

    /// Sends a signal if the process is still running.
    func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }

    /// Waits until the process has exited, polling, without holding a thread; returns false when
    /// `timeout` passes first or the waiting task is cancelled.
    @discardableResult
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits (blocking the calling thread, polling) until the process has exited. Only for
    /// ``stopBlocking(grace:)``; tests await ``waitForExit(timeout:)``.
    @discardableResult
    private func waitForExitBlocking(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// SIGTERM, wait up to `grace` (without holding a thread), then SIGKILL; afterwards SIGKILL
    /// anything it started that is still alive. Safe to call more than once; a cancelled task
    /// still kills and reaps the process.
    func stop(grace: Duration = .seconds(8)) async {
        let family = ProcessTable.descendants(of: pid)
        if isRunning {
            kill(pid, SIGTERM)
            await waitForExit(timeout: grace)
        }
        finish(family)
    }

    /// ``stop(grace:)`` for synchronous callers (`IntegrationEnv.tearDown()`, run from `defer`),
    /// blocking the calling thread while it waits.
    func stopBlocking(grace: Duration = .seconds(8)) {
        let family = ProcessTable.descendants(of: pid)
        if isRunning {
            kill(pid, SIGTERM)
            waitForExitBlocking(timeout: grace)
        }
        finish(family)
    }

    /// After SIGTERM and the grace: SIGKILLs the process if it is still running and reaps it (a
    /// short wait), then SIGKILLs whatever it started that is still alive, and its group.
    private func finish(_ family: [pid_t]) {
        if isRunning {
            kill(pid, SIGKILL)
            waitForExitBlocking(timeout: .seconds(5))
        }
        for child in family + ProcessTable.descendants(of: pid) where ProcessTable.isAlive(child) {
            kill(child, SIGKILL)
        }
        killpg(pid, SIGKILL)  // anything left in its process group; ESRCH when empty
    }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(_ lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)"
        return "--- \(name) (pid \(pid)) log tail ---\n" + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Reads `/proc` to find processes and their children.
enum ProcessTable {
    /// The parent pid and state letter of a process, or nil when there is no such process.
    static func stat(_ pid: pid_t) -> (ppid: pid_t, state: Character)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let ppid = pid_t(fields[1]) else { return nil }
        return (ppid, state)
    }

    /// Whether the process exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let s = stat(pid) else { return false }
        return s.state != "Z" && s.state != "X"
    }

    /// Every process whose parent chain leads to `pid`.
    static func descendants(of pid: pid_t) -> [pid_t] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        var parents: [pid_t: [pid_t]] = [:]
        for p in all {
            if let s = stat(p) { parents[s.ppid, default: []].append(p) }
        }
        var out: [pid_t] = []
        var queue = [pid]
        while let next = queue.popLast() {
            let kids = parents[next] ?? []
            out += kids
            queue += kids
        }
        return out
    }

    /// The command line of a process, words joined by spaces.
    static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}
