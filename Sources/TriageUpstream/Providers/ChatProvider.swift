import TriageCore

/// One upstream call: the body to send and where to send it.
public struct UpstreamCall: Sendable {
    /// The chat body with `model` already set to the tier's model.
    public var body: JSONValue
    public var tier: TierConfig
    public var provider: ProviderConfig
    /// The API key, read from the provider's `api_key_env`.
    public var apiKey: String?
    /// Told as the response arrives (for first-byte and idle limits).
    public var progress: (any AttemptProgress)?
    /// The longest the whole call may take (the tier's timeout, cut to the request's budget).
    public var timeout: Duration
    /// Where a stream's events are parsed: the caller's own executor (a worker's event loop), so
    /// they reach it without a hop to another thread and back. Nil: the global executor.
    public var executor: (any TaskExecutor)?

    public init(body: JSONValue, tier: TierConfig, provider: ProviderConfig, apiKey: String?,
                progress: (any AttemptProgress)? = nil, timeout: Duration? = nil, executor: (any TaskExecutor)? = nil) {
        self.body = body
        self.tier = tier
        self.provider = provider
        self.apiKey = apiKey
        self.progress = progress
        self.timeout = timeout ?? .milliseconds(Int64(tier.timeoutSeconds * 1000))
        self.executor = executor
    }
}

/// A complete non-stream answer.
public struct Completion: Sendable {
    /// The provider's `chat.completion` object.
    public var body: JSONValue
    /// Usage as reported, or nil when the provider sent none.
    public var usage: Usage?
}

/// One event of an upstream stream.
public enum StreamItem: Sendable {
    /// A `chat.completion.chunk`: its raw JSON text (passed to the client as is) and the parsed object.
    case chunk(data: String, json: JSONValue)
    /// The provider's `[DONE]` sentinel.
    case done
    /// An event that could not be understood and was skipped.
    case skipped(reason: String)
}

/// An upstream chat provider (OpenAI-compatible today; Anthropic joins behind the same protocol).
public protocol ChatProvider: Sendable {
    /// Calls the provider and returns its whole answer.
    func complete(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion
    /// Calls the provider in stream mode. Throws `AttemptFailure` from the iterator.
    /// Stopping iteration (or cancelling the task) aborts the upstream call.
    func stream(_ call: UpstreamCall) -> AsyncThrowingStream<StreamItem, any Error>
}

extension AsyncThrowingStream where Element == StreamItem, Failure == any Error {
    /// A stream fed by `pump` on a task of its own; when the consumer stops (or its task is
    /// cancelled) the task is cancelled too, and with it the upstream transfer.
    static func pumped(on executor: (any TaskExecutor)?, _ pump: @escaping @Sendable (Continuation) async throws(AttemptFailure) -> Void) -> Self {
        AsyncThrowingStream { continuation in
            let task = Task(executorPreference: executor) {
                do throws(AttemptFailure) {
                    try await pump(continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
