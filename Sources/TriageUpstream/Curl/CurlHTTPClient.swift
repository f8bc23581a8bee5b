import Logging

/// An HTTP/1.1 client over libcurl's multi interface, for calls to upstream LLM providers.
///
/// All transfers of a client run on one dedicated OS thread that drives one `CURLM` multi
/// handle, so concurrency costs sockets, not threads. Connections are kept alive in the
/// multi handle's connection cache and reused by later requests to the same host.
///
/// Call ``shutdown()`` when done; dropping the last reference also shuts it down.
public final class CurlHTTPClient: Sendable {
    private let engine: CurlEngine

    /// Creates a client. Its thread starts with the first request.
    /// - Parameters:
    ///   - maxConnectionsPerHost: The most connections open to one host at once
    ///     (`CURLMOPT_MAX_HOST_CONNECTIONS`); further requests to it wait for a free one.
    ///   - maxCachedConnections: How many connections the cache keeps open for reuse
    ///     (`CURLMOPT_MAXCONNECTS`); at least `maxConnectionsPerHost` by default.
    ///   - logger: The logger for transfer events (debug and trace levels).
    public init(maxConnectionsPerHost: Int = 256, maxCachedConnections: Int? = nil, logger: Logger) {
        let perHost = max(1, maxConnectionsPerHost)
        engine = CurlEngine(
            configuration: .init(maxConnectionsPerHost: perHost,
                                 maxCachedConnections: max(1, maxCachedConnections ?? max(perHost, 64))),
            logger: logger)
    }

    deinit {
        engine.shutdown()
    }

    /// Streams the response: first one `.head`, then `.body` chunks as they arrive. The
    /// stream finishes normally when the transfer completes and throws an
    /// ``UpstreamHTTPError`` when it fails (an HTTP error status is not a failure).
    ///
    /// The transfer starts when this is called. If the consumer stops iterating (drops the
    /// stream) or its task is cancelled, the transfer is aborted promptly: the easy handle
    /// is removed from the multi handle and its connection closed. This is how a client
    /// disconnect cancels the upstream call. The buffer between the curl thread and the
    /// consumer is unbounded.
    /// - Parameter request: The request to send.
    /// - Returns: The response parts.
    public func stream(_ request: UpstreamHTTPRequest) -> AsyncThrowingStream<UpstreamHTTPPart, any Error> {
        let (stream, continuation) = AsyncThrowingStream<UpstreamHTTPPart, any Error>.makeStream()
        let id = engine.makeID()
        continuation.onTermination = { [engine] termination in
            if case .cancelled = termination { engine.cancel(id) }
        }
        engine.submit(CurlTransferSubmission(id: id, request: request, sink: .stream(continuation)))
        return stream
    }

    /// Sends a request and collects the whole response: the caller resumes once, when it is
    /// complete. Cancelling the calling task aborts the transfer and throws a `.cancelled` error.
    /// - Parameters:
    ///   - request: The request to send.
    ///   - progress: Told, on the client's thread, when the head and body bytes arrive.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``UpstreamHTTPError`` when the transfer fails.
    public func execute(_ request: UpstreamHTTPRequest, progress: (any AttemptProgress)? = nil) async throws(UpstreamHTTPError) -> UpstreamHTTPResponse {
        let engine = self.engine
        let id = engine.makeID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<UpstreamHTTPResponse, UpstreamHTTPError>, Never>) in
                engine.submit(CurlTransferSubmission(id: id, request: request, sink: .collect(continuation, progress: progress)))
                // The handler may have run before the submission reached the queue.
                if Task.isCancelled { engine.cancel(id) }
            }
        } onCancel: {
            engine.cancel(id)
        }
        return try result.get()
    }

    /// Stops the client's thread and cleans up its handles; transfers in flight fail with
    /// `.cancelled`, and later requests fail at once. Blocks until the thread has exited.
    /// Idempotent.
    public func shutdown() {
        engine.shutdown()
    }

    /// The number of OS threads this client created: 0 before the first request, then
    /// always 1, however many requests run at once.
    public var threadCount: Int {
        engine.threadCount
    }
}
