/// Runs `body` on a thread of the global pool and waits for it.
///
/// Requests are served on their connection's event loop (see `EventLoopTaskExecutor`). A
/// store write that may wait for another process's lock (up to the busy timeout) must not
/// block that loop: it would stall every request and ping of the connection meanwhile. The hot
/// path's writes go through the `StoreWriter`; the rare others (circuit changes, misroutes)
/// go through here.
func offEventLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await Task.detached { body() }.value
}
