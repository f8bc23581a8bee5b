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
            response = try await http.collect(request(for: call), progress: call.progress)
        } catch {
            throw AttemptFailure(transport: error)
        }
        guard response.status == 200 else {
            throw AnthropicError.failure(status: response.status, headers: response.headers, body: response.body)
        }
        guard let message = try? JSONValue.parse(response.body), let completion = AnthropicResponse.completion(fromMessage: message) else {
            throw AttemptFailure(kind: .malformed, message: "the provider's answer is not a Messages API message", status: 200)
        }
        return completion
    }

    public func stream(_ call: UpstreamCall) -> AsyncThrowingStream<StreamItem, any Error> {
        var streaming = call
        streaming.body["stream"] = .bool(true)
        let parts = http.stream(request(for: streaming))
        let progress = call.progress
        return .pumped { continuation throws(AttemptFailure) in
            try await Self.pump(parts, into: continuation, progress: progress)
        }
    }

    /// Reads HTTP parts, parses SSE, translates events and yields OpenAI chunks.
    static func pump(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>,
                     into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                     progress: (any AttemptProgress)? = nil) async throws(AttemptFailure) {
        var parser = SSEParser()
        var translator = AnthropicStreamTranslator()
        var status = 0
        var headers: [String: String] = [:]
        var errorBody: [UInt8] = []
        do {
            for try await part in parts {
                switch part {
                case .head(let s, let h):
                    status = s
                    headers = h
                    progress?.responseStarted()
                case .body(let bytes):
                    progress?.bytesReceived()
                    if status != 200 {
                        errorBody.append(contentsOf: bytes)
                        continue
                    }
                    for event in parser.feed(bytes) {
                        for item in try translator.translate(event) { continuation.yield(item) }
                    }
                    if translator.stopped { return }  // finish promptly after message_stop
                }
            }
        } catch let e as UpstreamHTTPError {
            var failure = AttemptFailure(transport: e)
            if status == 200, failure.kind == .reset {
                failure.kind = .streamCut  // the answer had started: not a reset before the response
            }
            failure.billedUsage = translator.usage
            throw failure
        } catch let e as AttemptFailure {
            throw e
        } catch {
            throw AttemptFailure(kind: .cancelled, message: "\(error)")
        }
        if Task.isCancelled {
            throw AttemptFailure(kind: .cancelled, message: "the request was cancelled")
        }
        if status == 0 {
            throw AttemptFailure(kind: .reset, message: "the provider closed the connection without answering")
        }
        if status != 200 {
            throw AnthropicError.failure(status: status, headers: headers, body: errorBody)
        }
        _ = parser.finish()
        for item in try translator.end() { continuation.yield(item) }
    }
}
