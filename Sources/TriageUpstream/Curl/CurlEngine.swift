import CCurl
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The curl thread: one OS thread that drives one `CURLM` multi handle for all the
/// transfers of a ``CurlHTTPClient``.
///
/// ```
///  any task                         curl thread
///  ────────                         ───────────
///  submit/cancel ──▶ Mutex<State>.commands ──▶ drain ─▶ add/remove easy handles
///       │                                       │
///       └── write(wake pipe) ──────────────▶ curl_multi_poll ◀─ curl_multi_perform
///                                                           ─▶ callbacks yield to streams
/// ```
///
/// The multi handle, the easy handles and every ``CurlTransfer`` are touched only on the
/// curl thread. Other threads only append commands under the mutex and, after releasing it,
/// write a byte to the engine's wake pipe, whose read end `curl_multi_poll` watches beside the
/// transfers' sockets. Waking the curl thread while still holding the mutex made it block on
/// the mutex at once (two more context switches per request on 2 cores); and a wake-up already
/// pending is not written again, so a burst of submissions costs one.
final class CurlEngine: Sendable {
    /// Connection-pool settings of the multi handle.
    struct Configuration: Sendable {
        /// `CURLMOPT_MAX_HOST_CONNECTIONS`: more concurrent transfers to one host wait.
        var maxConnectionsPerHost: Int
        /// `CURLMOPT_MAXCONNECTS`: how many connections the cache keeps open for reuse.
        var maxCachedConnections: Int
    }

    private enum Command: Sendable {
        case add(CurlTransferSubmission)
        case cancel(UInt64)
    }

    /// The curl thread's `pthread_t`.
    ///
    /// `@unchecked Sendable` because `pthread_t` is a pointer on Darwin. Safe: it is only
    /// stored under ``state``'s lock and passed to `pthread_join` by the one caller of
    /// ``shutdown()`` that takes it out of the state.
    private struct ThreadHandle: @unchecked Sendable {
        let raw: pthread_t
    }

    private struct State: Sendable {
        var commands: [Command] = []
        /// A byte is in the wake pipe that the curl thread has not taken yet.
        var wakePending = false
        var thread: ThreadHandle?
        var threadsCreated = 0
        var stopping = false
        var nextID: UInt64 = 0
    }

    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    /// The wake pipe: read end polled by the curl thread, write end written by ``wake()``. Both
    /// are open for the engine's whole life (closed in `deinit`, when no method can run), so a
    /// write can never reach a closed or reused descriptor.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
    }

    deinit {
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    /// Wakes the curl thread from `curl_multi_poll`. Called without the lock held.
    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already wakes it
    }

    /// Empties the wake pipe (curl thread).
    private func drainWakePipe() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            while read(wakeRead, buffer.baseAddress, buffer.count) > 0 {}
        }
    }

    /// The number of OS threads this engine created: 0 before the first request, then 1.
    var threadCount: Int {
        state.withLock { $0.threadsCreated }
    }

    /// A fresh transfer id.
    func makeID() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Queues a transfer for the curl thread, starting the thread on first use. After
    /// ``shutdown()`` the transfer fails at once with a `.cancelled` error.
    func submit(_ submission: CurlTransferSubmission) {
        let (failure, wake): (UpstreamHTTPError?, Bool) = state.withLock { state in
            if state.stopping {
                return (UpstreamHTTPError(kind: .cancelled, message: "HTTP client is shut down"), false)
            }
            if state.threadsCreated == 0 {
                if let message = startThread(&state) {
                    return (UpstreamHTTPError(kind: .other, message: message), false)
                }
            }
            state.commands.append(.add(submission))
            return (nil, Self.takeWake(&state))
        }
        if wake { self.wake() }
        if let failure { submission.sink.fail(failure) }
    }

    /// Whether the caller must write to the wake pipe: not when a wake-up is already pending.
    private static func takeWake(_ state: inout State) -> Bool {
        if state.wakePending { return false }
        state.wakePending = true
        return true
    }

    /// Asks the curl thread to abort a transfer; a no-op for a finished or unknown one.
    func cancel(_ id: UInt64) {
        let wake = state.withLock { state -> Bool in
            guard !state.stopping, state.threadsCreated > 0 else { return false }
            state.commands.append(.cancel(id))
            return Self.takeWake(&state)
        }
        if wake { self.wake() }
    }

    /// Stops the curl thread and waits for it: transfers in flight fail with `.cancelled`,
    /// handles are cleaned up. Idempotent.
    func shutdown() {
        let thread: ThreadHandle? = state.withLock { state in
            state.stopping = true
            defer { state.thread = nil }
            return state.thread
        }
        guard let thread else { return }
        wake()
        if pthread_equal(pthread_self(), thread.raw) != 0 {
            pthread_detach(thread.raw)  // called from a callback: the loop ends on its own
        } else {
            pthread_join(thread.raw, nil)
        }
    }

    /// Creates the curl thread. Called with the lock held.
    /// - Returns: An error message when the thread could not be created.
    private func startThread(_ state: inout State) -> String? {
        guard curlGlobalInitialization == CURLE_OK else {
            return "curl_global_init failed: \(curlGlobalInitialization.rawValue)"
        }
        guard wakeRead >= 0, wakeWrite >= 0 else { return "could not open the curl thread's wake pipe" }
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<CurlEngine>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        #else
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<CurlEngine>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        #endif
        guard result == 0 else {
            Unmanaged<CurlEngine>.fromOpaque(context).release()
            return "pthread_create failed: \(result)"
        }
        #if canImport(Darwin)
        state.thread = ThreadHandle(raw: thread!)
        #else
        state.thread = ThreadHandle(raw: thread)
        #endif
        state.threadsCreated += 1
        return nil
    }

    // MARK: The curl thread

    private func run() {
        guard let multi = curl_multi_init() else {
            logger.error("curl_multi_init failed")
            failQueued(message: "curl_multi_init failed")
            return
        }
        _ = triage_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = triage_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
        var wakeFD = curl_waitfd(fd: wakeRead, events: Int16(CURL_WAIT_POLLIN), revents: 0)

        var transfers: [UInt64: CurlTransfer] = [:]
        let pool = CurlHandlePool(capacity: configuration.maxCachedConnections)
        while true {
            // Only when the last poll saw the pipe readable: no read system call on the turns that
            // sockets woke. A byte written after that poll stays, and wakes the next one at once.
            if wakeFD.revents != 0 { drainWakePipe() }
            let (commands, stopping) = state.withLock { state in
                defer {
                    state.commands.removeAll()
                    state.wakePending = false
                }
                return (state.commands, state.stopping)
            }
            if stopping {
                for case .add(let submission) in commands {
                    submission.sink.fail(UpstreamHTTPError(kind: .cancelled, message: "HTTP client is shut down"))
                }
                break
            }
            for command in commands {
                switch command {
                case .add(let submission):
                    let transfer = CurlTransfer(submission, logger: logger)
                    if transfer.start(in: multi, pool: pool) { transfers[submission.id] = transfer }
                case .cancel(let id):
                    transfers.removeValue(forKey: id)?.abort(multi: multi, message: "transfer cancelled")
                }
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE else { continue }
                // Read the message before remove_handle invalidates it.
                let easy = message.pointee.easy_handle
                let code = message.pointee.data.result
                var context: UnsafeMutableRawPointer?
                _ = triage_curl_getinfo_pointer(easy, CURLINFO_PRIVATE, &context)
                guard let context else { continue }
                let id = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().id
                transfers.removeValue(forKey: id)?.complete(code: code, multi: multi)
            }
            wakeFD.revents = 0
            _ = curl_multi_poll(multi, &wakeFD, 1, 1000, nil)
        }

        for transfer in transfers.values {
            transfer.abort(multi: multi, message: "HTTP client is shut down")
        }
        transfers.removeAll()
        curl_multi_cleanup(multi)
        withExtendedLifetime(pool) {}  // its idle handles are cleaned up after the multi handle
        failQueued(message: "HTTP client is shut down")
        logger.debug("curl thread stopped")
    }

    /// Fails every transfer still queued (the thread is ending).
    private func failQueued(message: String) {
        let commands = state.withLock { state in
            state.stopping = true
            defer { state.commands.removeAll() }
            return state.commands
        }
        for case .add(let submission) in commands {
            submission.sink.fail(UpstreamHTTPError(kind: .cancelled, message: message))
        }
    }
}
