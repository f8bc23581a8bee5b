import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// A request's task that prefers this executor (`Task(executorPreference:)`) starts on the
/// loop that read the request, resumes there after each `await`, and writes to that loop's
/// channels without a thread hop. On a 2-core machine each hop between threads is a
/// scheduler wake-up of tens of microseconds, which is most of a router's added latency.
///
/// Only for work that does not block: a task that blocks the thread blocks every channel of
/// the loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the tasks run on.
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
