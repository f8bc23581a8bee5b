import Foundation
import HTTPTypes
import Hummingbird

/// Answers `POST /v1/messages` as Anthropic's Messages API would, with the same behaviours,
/// faults and attempt counts as the OpenAI endpoint.
struct MessagesHandler: Sendable {
    let state: SimState
    let replay: ReplayStore

    func respond(to request: Request, context: SimRequestContext) async throws -> Response {
        let req: MessagesRequest
        do {
            req = try await request.decode(as: MessagesRequest.self, context: context)
        } catch {
            return Self.errorResponse(status: 400, message: "request body is not a valid Messages API request (model, messages and max_tokens are required)")
        }
        guard req.maxTokens >= 1 else { return Self.errorResponse(status: 400, message: "max_tokens: must be at least 1") }
        guard request.headers[HTTPField.Name("anthropic-version")!] != nil else {
            return Self.errorResponse(status: 400, message: "anthropic-version: header is required")
        }

        let (behaviour, action) = await self.state.admit(model: req.model)
        switch action {
        case .fail(let status, let retryAfter, let code):
            return ChatHandler.jsonError(status: status, body: AnthropicErrorBody(status: status, message: "simulated failure for model \(req.model)", code: code),
                                         retryAfter: retryAfter)
        case .hang:
            await ChatHandler.hang()
            return Self.errorResponse(status: 529, message: "simulated provider is shutting down")
        case .reset:
            await context.resetConnection()
            throw ChatHandler.InjectedCut()
        case .answer:
            break
        }

        let prompt = req.lastUserText
        var headers: HTTPFields = [:]
        let text: String
        let toolCall = behaviour.fixedAnswer == nil ? req.toolCall : nil
        if let toolCall {
            text = toolCall.argumentsText(malformed: behaviour.toolArgsMalformed == true)
        } else if let fixed = behaviour.fixedAnswer {
            text = fixed
        } else if let rating = SimJudge.answer(system: req.system?.text, prompt: prompt, replay: self.replay) {
            text = rating
        } else if let hit = self.replay.lookup(prompt: prompt, model: req.model) {
            text = hit.text
            headers[ChatHandler.replayHeader] = hit.recordID
        } else {
            text = AnswerGenerator.answer(model: req.model, prompt: prompt)
        }
        // Fixed cache counts from the behaviour, else what the simulated prompt cache made of the marks.
        var cache = behaviour
        if cache.cachedTokens == nil, cache.cacheWriteTokens == nil, case let marks = req.cacheBreakpoints, !marks.isEmpty {
            (cache.cachedTokens, cache.cacheWriteTokens) = await self.state.usePromptCache(marks)
        }
        let answer = SimAnswer(text: text, limit: req.maxTokens, promptTokens: SimTokens.promptTokens(req.chatMessages), model: req.model,
                               toolCall: toolCall, cache: cache)
        if req.stream == true {
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let stream = SimStream(answer: answer, behaviour: behaviour, format: .anthropic)
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer) })
        }
        return try await ChatHandler.wholeResponse(MessagesResponse(answer), answer: answer, behaviour: behaviour, headers: headers)
    }

    static func errorResponse(status: Int, message: String) -> Response {
        ChatHandler.jsonError(status: status, body: AnthropicErrorBody(status: status, message: message), retryAfter: nil)
    }
}
