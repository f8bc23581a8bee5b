import Foundation
import TriageCore

/// Calls Anthropic's Messages API (`POST {base_url}/v1/messages`) through the shared libcurl
/// client, translating OpenAI requests and answers both ways (``AnthropicRequest``,
/// ``AnthropicResponse``, ``AnthropicStreamTranslator``, ``AnthropicError``). The Messages API gives
/// one choice a call, so a request asking for `n` > 1 is sent `n` times at once and the answers
/// (or streams) are joined into one with `n` choices.
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
        let body = AnthropicRequest.body(fromOpenAI: call.body, defaultMaxTokens: defaultMaxTokens,
                                         promptCache: call.provider.autoPromptCache ? .auto : .off)
        return UpstreamHTTPRequest(url: Self.url(base: call.provider.baseURL), headers: headers, body: body.encoded(),
                                   connectTimeout: .milliseconds(Int64(call.tier.connectTimeoutSeconds * 1000)),
                                   totalTimeout: call.timeout)
    }

    public func complete(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion {
        let n = ChatRequest.choices(in: call.body)
        guard n > 1 else { return try await completeOne(call) }
        let results = await withTaskGroup(of: (Int, Result<Completion, AttemptFailure>).self) { group in
            for i in 0..<n {
                group.addTask {
                    do throws(AttemptFailure) { return (i, .success(try await completeOne(call))) } catch { return (i, .failure(error)) }
                }
            }
            var all: [(Int, Result<Completion, AttemptFailure>)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var answers: [Completion] = []
        var failure: AttemptFailure?
        for result in results {
            switch result {
            case .success(let c): answers.append(c)
            case .failure(let f): failure = failure ?? f
            }
        }
        if var failure {
            // The calls that answered were billed: their usage is the failed attempt's too.
            failure.billedUsage = ([failure.billedUsage].compactMap { $0 } + answers.compactMap(\.usage)).total
            throw failure
        }
        return AnthropicResponse.merged(answers)
    }

    private func completeOne(_ call: UpstreamCall) async throws(AttemptFailure) -> Completion {
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
        let progress = call.progress
        let format = AnthropicRequest.formatTool(for: call.body)?.name
        let n = ChatRequest.choices(in: call.body)
        guard n > 1 else {
            let parts = http.stream(request(for: streaming))
            return .pumped(on: call.executor) { continuation throws(AttemptFailure) in
                try await Self.pump(parts, into: continuation, formatTool: format, progress: progress)
            }
        }
        let streams = (0..<n).map { _ in http.stream(request(for: streaming)) }
        return .pumped(on: call.executor) { continuation throws(AttemptFailure) in
            try await Self.pumpChoices(streams, into: continuation, formatTool: format, progress: progress)
        }
    }

    /// Reads HTTP parts, parses SSE, translates events and yields OpenAI chunks.
    static func pump(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>,
                     into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                     formatTool: String? = nil, progress: (any AttemptProgress)? = nil) async throws(AttemptFailure) {
        var translator = AnthropicStreamTranslator(formatTool: formatTool)
        try await pump(parts, into: continuation, translator: &translator, progress: progress)
    }

    /// One stream per choice (`n` > 1), read at once: their chunks interleave, each with its choice's
    /// index, and one usage chunk (their sum) and `.done` end them all. One choice failing fails the
    /// attempt, stops the others and carries what every choice was billed.
    static func pumpChoices(_ streams: [AsyncThrowingStream<UpstreamHTTPPart, any Error>],
                            into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                            formatTool: String?, progress: (any AttemptProgress)?) async throws(AttemptFailure) {
        let created = Int(Date().timeIntervalSince1970)
        let ended = await withTaskGroup(of: (AnthropicStreamTranslator, AttemptFailure?).self) { group in
            for (i, parts) in streams.enumerated() {
                group.addTask {
                    var translator = AnthropicStreamTranslator(formatTool: formatTool, choiceIndex: i, endsTheStream: false, created: created)
                    do throws(AttemptFailure) {
                        try await pump(parts, into: continuation, translator: &translator, progress: progress)
                        return (translator, nil)
                    } catch {
                        return (translator, error)
                    }
                }
            }
            var all: [(AnthropicStreamTranslator, AttemptFailure?)] = []
            for await result in group {
                if result.1 != nil { group.cancelAll() }
                all.append(result)
            }
            return all
        }
        let usage = ended.compactMap(\.0.usage).total
        let failures = ended.compactMap(\.1)
        if var failure = failures.first(where: { $0.kind != .cancelled }) ?? failures.first {
            failure.billedUsage = usage
            throw failure
        }
        let first = ended.first?.0
        for item in AnthropicStreamTranslator.trailer(id: first?.id ?? "msg", model: first?.model ?? "", created: created, usage: usage) {
            continuation.yield(item)
        }
    }

    /// ``pump(_:into:formatTool:progress:)`` with a translator of the caller's.
    static func pump(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>,
                     into continuation: AsyncThrowingStream<StreamItem, any Error>.Continuation,
                     translator: inout AnthropicStreamTranslator, progress: (any AttemptProgress)?) async throws(AttemptFailure) {
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
