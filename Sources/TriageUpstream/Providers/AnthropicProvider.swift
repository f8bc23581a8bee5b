import TriageCore

/// Calls Anthropic's Messages API (`POST {base_url}/v1/messages`) through the shared libcurl
/// client, translating OpenAI requests and answers both ways (``AnthropicRequest``,
/// ``AnthropicResponse``, ``AnthropicStreamTranslator``, ``AnthropicError``).
public struct AnthropicProvider: ChatProvider {
    /// The API version sent in `anthropic-version`.
    public static let apiVersion = "2023-06-01"

    let http: CurlHTTPClient
    let defaultMaxTokens: Int

    /// - Parameters:
    ///   - http: The worker's shared client.
    ///   - defaultMaxTokens: `max_tokens` for requests that set none (Anthropic requires one).
    public init(http: CurlHTTPClient, defaultMaxTokens: Int = AnthropicRequest.defaultMaxTokens) {
        self.http = http
        self.defaultMaxTokens = defaultMaxTokens
    }

    /// The messages URL of a base URL given with or without its `/v1`.
    static func url(base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b.hasSuffix("/v1") ? b + "/messages" : b + "/v1/messages"
    }

    func request(for call: UpstreamCall) -> UpstreamHTTPRequest {
        var headers = [UpstreamHTTPHeader(name: "Content-Type", value: "application/json"),
                       UpstreamHTTPHeader(name: "anthropic-version", value: Self.apiVersion)]
        if let key = call.apiKey, !key.isEmpty {
            headers.append(UpstreamHTTPHeader(name: "x-api-key", value: key))
        }
        let body = AnthropicRequest.body(fromOpenAI: call.body, defaultMaxTokens: defaultMaxTokens)
        return UpstreamHTTPRequest(url: Self.url(base: call.provider.baseURL), headers: headers, body: body.encoded(),
                                   connectTimeout: .milliseconds(Int64(call.tier.connectTimeoutSeconds * 1000)),
                                   totalTimeout: call.timeout)
    }

    public func complete(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion {
        let response: UpstreamHTTPResponse
        do {
            response = try await http.execute(request(for: call), progress: call.progress)
        } catch {
            throw AttemptFailure(transport: error)
        }
        guard response.status == 200 else {
            throw AnthropicError.failure(status: response.status, headers: response.headers, body: response.body)
        }
        let format = AnthropicRequest.formatTool(for: call.body)?.name
        guard let message = try? JSONValue.parse(response.body),
              let completion = AnthropicResponse.completion(fromMessage: message, formatTool: format) else {
            throw AttemptFailure(kind: .malformed, message: "the provider's answer is not a Messages API message", status: 200)
        }
        return completion
    }

    public func stream(_ call: UpstreamCall) -> AsyncThrowingStream<StreamItem, any Error> {
        var streaming = call
        streaming.body["stream"] = .bool(true)
        let parts = http.stream(request(for: streaming))
        let progress = call.progress
        let format = AnthropicRequest.formatTool(for: call.body)?.name
        return .pumped(on: call.executor) { continuation throws(AttemptFailure) in
            try await Self.pump(parts, into: continuation, formatTool: format, progress: progress)
        }
    }

    /// Reads HTTP parts, parses SSE, translates events and yields OpenAI chunks.
    static func pump(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>,
                     into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                     formatTool: String? = nil, progress: (any AttemptProgress)? = nil) async throws(AttemptFailure) {
        var translator = AnthropicStreamTranslator(formatTool: formatTool)
        var reader = SSEResponseReader()
        try await reader.read(parts, progress: progress, billed: { translator.usage }) { events throws(AttemptFailure) in
            for event in events {
                for item in try translator.translate(event) { continuation.yield(item) }
            }
            return !translator.stopped  // finish promptly after message_stop
        }
        guard reader.status == 200 else {
            throw AnthropicError.failure(status: reader.status, headers: reader.headers, body: reader.errorBody)
        }
        if translator.stopped { return }
        _ = reader.finish()
        for item in try translator.end() { continuation.yield(item) }
    }
}
