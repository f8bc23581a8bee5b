import Hummingbird
import NIOCore
import NIOPosix
import ServiceLifecycle
import TriageWire

/// The coordinator's request path runs on one event loop: the HTTP connections, the worker
/// links, and the tasks that handle chat requests.
///
/// A request then never changes threads inside the coordinator: the loop reads it, the handler
/// runs on the loop (``EventLoopTaskExecutor``), its frame is written to the worker link on the
/// same loop, and the worker's reply resumes the handler there. On a 2-core machine every hop
/// between threads is a scheduler wake-up of tens of microseconds. One loop serves several
/// thousand requests a second, more than the cores left to it beside the workers.
///
/// Handlers that may block on the store (admin, feedback, metrics, dashboard) leave the loop
/// through ``OffEventLoopMiddleware``.
enum CoordinatorLoop {
    /// The loop's group (one thread, for the life of the process).
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// The group's one loop; work scheduled on it with `execute` runs after what is queued before
    /// it (a request's log line and metrics run after its answer is written).
    static let loop: any EventLoop = group.next()
    /// Runs tasks on the loop.
    static let executor = EventLoopTaskExecutor(loop)
}

/// Runs a service's tasks on the coordinator's loop (child tasks inherit the preference).
struct LoopPinnedService<Inner: Service>: Service {
    let inner: Inner

    func run() async throws {
        try await withTaskExecutorPreference(CoordinatorLoop.executor) {
            try await inner.run()
        }
    }
}

/// Runs the rest of the chain on the global pool instead of the coordinator's loop: for
/// handlers that read or write the store and may wait for its lock.
struct OffEventLoopMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try await next(request, context)
        }
    }
}
