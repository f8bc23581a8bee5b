import TriageCore

/// Calls any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, vLLM, Triage's
/// simulated provider) through the shared libcurl client.
public struct OpenAICompatibleProvider: ChatProvider {
    let http: CurlHTTPClient

    public init(http: CurlHTTPClient) { self.http = http }

    /// The HTTP request of a call. `Accept` says which answer a stream call expects (an SSE stream)
    /// and which a plain call expects (one JSON object).
    func request(for call: UpstreamCall, stream: Bool) -> UpstreamHTTPRequest {
        var headers = [UpstreamHTTPHeader(name: "Content-Type", value: "application/json"),
                       UpstreamHTTPHeader(name: "Accept", value: stream ? "text/event-stream" : "application/json")]
        if let key = call.apiKey, !key.isEmpty {
            headers.append(UpstreamHTTPHeader(name: "Authorization", value: "Bearer \(key)"))
        }
        return UpstreamHTTPRequest(url: call.provider.baseURL + "/chat/completions", headers: headers,
                                   body: call.body.encoded(),
                                   connectTimeout: .milliseconds(Int64(call.tier.connectTimeoutSeconds * 1000)),
                                   totalTimeout: call.timeout)
    }

    public func complete(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion {
        let response: UpstreamHTTPResponse
        do {
            response = try await http.execute(request(for: call, stream: false), progress: call.progress)
        } catch {
            throw AttemptFailure(transport: error)
        }
        guard response.status == 200 else {
            throw AttemptFailure(response: response.status, headers: response.headers, body: response.body)
        }
        let parsed = try? JSONValue.parse(response.body)
        guard let body = parsed, body["choices"]?.arrayValue != nil else {
            // Usage it reports all the same was billed, and is charged.
            throw AttemptFailure(kind: .malformed, message: "the provider's answer is not a chat.completion object", status: 200,
                                 billedUsage: Usage(openAI: parsed?["usage"]))
        }
        return Completion(body: body, usage: Usage(openAI: body["usage"]))
    }

    public func stream(_ call: UpstreamCall) -> AsyncThrowingStream<StreamItem, any Error> {
        let parts = http.stream(request(for: call, stream: true))
        return .pumped(on: call.executor) { continuation throws(AttemptFailure) in
            try await Self.pump(parts, into: continuation, progress: call.progress)
        }
    }

    /// Reads HTTP parts, parses SSE and yields chunk events.
    static func pump(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>,
                     into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                     progress: (any AttemptProgress)? = nil) async throws(AttemptFailure) {
        var reader = SSEResponseReader()
        try await reader.read(parts, progress: progress) { events throws(AttemptFailure) in
            for event in events {
                if let item = item(for: event) { continuation.yield(item) }
            }
            return true
        }
        guard reader.status == 200 else {
            throw AttemptFailure(response: reader.status, headers: reader.headers, body: reader.errorBody)
        }
        for event in reader.finish() {
            if let item = item(for: event) { continuation.yield(item) }
        }
    }

    /// One SSE event as a stream item; malformed events are skipped.
    static func item(for event: SSEEvent) -> StreamItem? {
        if event.data == "[DONE]" { return .done }
        if event.data.isEmpty { return nil }
        guard let json = try? JSONValue.parse(event.data.utf8), json.objectValue != nil else {
            return .skipped(reason: "not a JSON object: \(event.data.prefix(80))")
        }
        return .chunk(data: event.data, json: json)
    }
}

extension AttemptFailure {
    /// Maps a transport failure. A connection that ends after response bytes arrived cut the
    /// answer (`stream_cut`: climb, no retry); only a reset before any byte is a `reset`.
    init(transport e: UpstreamHTTPError) {
        let kind: Kind = switch e.kind {
        case .connect: .connect
        case .timeout: .timeout
        case .reset: e.receivedBytes ? .streamCut : .reset
        case .cancelled: .cancelled
        case .tls: .connect
        case .other: .unsupported
        }
        self.init(kind: kind, message: e.message)
    }

    /// Maps an HTTP error answer, reading the provider's OpenAI-shaped error if there is one, and
    /// the usage it reports (some OpenAI-compatible servers bill a failed generation): charged.
    init(response status: Int, headers: [String: String], body: [UInt8]) {
        let parsed = try? JSONValue.parse(body)
        let providerError = parsed?["error"].flatMap { e -> OpenAIErrorBody? in
            guard let message = e["message"]?.stringValue else { return nil }
            return OpenAIErrorBody(message: message, type: e["type"]?.stringValue ?? "upstream_error",
                                   code: e["code"]?.stringValue, param: e["param"]?.stringValue)
        }
        let retryAfter = headers["retry-after"].flatMap(Double.init)
        self = .http(status: status, message: providerError?.message ?? "HTTP \(status)", retryAfter: retryAfter, providerError: providerError)
        billedUsage = Usage(openAI: parsed?["usage"])
    }
}
