import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// Answers `POST /v1/chat/completions`: decides (``SimAction``), builds the answer, then writes it
/// as one JSON object or as a stream of server-sent events.
struct ChatHandler: Sendable {
    let state: SimState
    let replay: ReplayStore

    /// Thrown from a response body to drop the connection in the middle of an answer.
    struct InjectedCut: Error {}

    func respond(to request: Request, context: SimRequestContext) async throws -> Response {
        let chat: ChatRequest
        do {
            chat = try await request.decode(as: ChatRequest.self, context: context)
        } catch {
            return Self.errorResponse(status: 400, message: "request body is not a valid chat completion request")
        }
        if let limit = chat.tokenLimit, limit < 1 {
            return Self.errorResponse(status: 400, message: "max_tokens must be at least 1")
        }

        let (behaviour, action) = await self.state.admit(model: chat.model)
        switch action {
        case .fail(let status, let retryAfter, let code):
            context.logger.debug("sim injected failure", metadata: ["sim.model": "\(chat.model)", "sim.status": "\(status)"])
            return Self.errorResponse(status: status, message: Self.failureMessage(code: code, model: chat.model), retryAfter: retryAfter, code: code)
        case .hang:
            await Self.hang()
            return Self.errorResponse(status: 503, message: "simulated provider is shutting down")
        case .reset:
            await context.resetConnection()
            throw InjectedCut()
        case .answer:
            break
        }

        let prompt = chat.lastUserText
        var headers: HTTPFields = [:]
        let text: String
        let toolCall = behaviour.fixedAnswer == nil ? chat.toolCall : nil
        if let toolCall {
            text = toolCall.argumentsText(malformed: behaviour.toolArgsMalformed == true)
        } else if let fixed = behaviour.fixedAnswer {
            text = fixed
        } else if let rating = SimJudge.answer(system: chat.messages.first(where: { $0.role == "system" })?.text, prompt: prompt, replay: self.replay) {
            text = rating
        } else {
            let prose: String
            if let hit = self.replay.lookup(prompt: prompt, model: chat.model) {
                prose = hit.text
                headers[Self.replayHeader] = hit.recordID
            } else {
                prose = AnswerGenerator.answer(model: chat.model, prompt: prompt)
            }
            text = behaviour.ignoreResponseFormat == true ? prose : SimJSONAnswer.text(prose, format: chat.responseFormat)
        }
        let answer = SimAnswer(
            text: text,
            limit: chat.tokenLimit,
            promptTokens: SimTokens.promptTokens(chat.messages),
            model: chat.model,
            toolCall: toolCall,
            cache: behaviour
        )
        if chat.stream == true {
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let stream = SimStream(answer: answer, behaviour: behaviour, format: .openAI(includeUsage: chat.streamOptions?.includeUsage == true))
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer) })
        }
        return try await Self.completionResponse(answer, behaviour: behaviour, headers: headers)
    }

    // MARK: Non-stream

    private static func completionResponse(_ answer: SimAnswer, behaviour: SimBehaviour, headers: HTTPFields) async throws -> Response {
        let completion = ChatCompletion(
            id: answer.id,
            created: answer.created,
            model: answer.model,
            choices: [.init(message: Self.message(answer), finishReason: answer.finishReason)],
            usage: answer.usage
        )
        return try await self.wholeResponse(completion, answer: answer, behaviour: behaviour, headers: headers)
    }

    /// The answer's message: its text, or its tool call (content null).
    private static func message(_ answer: SimAnswer) -> ChatCompletion.Message {
        guard let call = answer.toolCall else { return .init(content: answer.content) }
        return .init(content: nil, toolCalls: [.init(id: call.id, function: .init(name: call.name, arguments: answer.content))])
    }

    /// A non-stream answer after the behaviour's delays; `cut_after_tokens` drops the connection mid-body.
    static func wholeResponse(_ value: some Encodable, answer: SimAnswer, behaviour: SimBehaviour, headers: HTTPFields) async throws -> Response {
        let delay = max(0, behaviour.ttftMs ?? 0) + max(0, behaviour.tpotMs ?? 0) * answer.tokens.count
        if delay > 0 { try await Self.delay(milliseconds: delay) }
        var headers = headers
        headers[.contentType] = "application/json"
        let body = ByteBuffer(bytes: try SimJSON.encoder().encode(value))
        guard let cut = behaviour.cutAfterTokens else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        // Drop the connection part-way through a body that announced its full length.
        let keep = body.readableBytes * min(max(cut, 0), answer.tokens.count) / max(answer.tokens.count, 1) / 2
        let partial = body.getSlice(at: body.readerIndex, length: keep) ?? ByteBuffer()
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody(contentLength: body.readableBytes) { writer in
                try await writer.write(partial)
                throw InjectedCut()
            }
        )
    }

    // MARK: Errors

    static let replayHeader = HTTPField.Name("x-sim-replay")!

    /// An OpenAI-style error response.
    static func errorResponse(status: Int, message: String, retryAfter: Int? = nil, code: String? = nil) -> Response {
        var error = OpenAIErrorBody(status: status, message: message)
        if let code { error.error.code = code }
        return self.jsonError(status: status, body: error, retryAfter: retryAfter)
    }

    static func jsonError(status: Int, body: some Encodable, retryAfter: Int?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let data = (try? SimJSON.encoder().encode(body)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The message of an injected failure, worded as OpenAI words errors with that code.
    static func failureMessage(code: String?, model: String) -> String {
        switch code {
        case "context_length_exceeded"?:
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. (simulated for model \(model))"
        case "content_policy_violation"?:
            "Your request was rejected as a result of our safety system. (simulated for model \(model))"
        default:
            "simulated failure for model \(model)"
        }
    }

    /// Waits out a simulated delay; a graceful shutdown ends it early (throwing), so that a long
    /// `ttft_ms` or `stall_ms` never holds the server's shutdown up.
    static func delay(milliseconds: Int) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }

    /// Holds the request until the server shuts down or the client goes away.
    static func hang() async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(86_400)) }
    }
}

/// JSON coding settings shared by every response of the simulated provider.
enum SimJSON {
    static func encoder(sorted: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = sorted ? [.withoutEscapingSlashes, .sortedKeys] : .withoutEscapingSlashes
        return encoder
    }

    /// A response whose body is `value` as JSON with sorted keys.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try self.encoder(sorted: true).encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
