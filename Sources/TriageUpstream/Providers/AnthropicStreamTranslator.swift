import Foundation
import TriageCore

/// Turns the server-sent events of an Anthropic Messages stream into OpenAI
/// `chat.completion.chunk` items. Pure and incremental: feed it one event at a time.
///
/// ```
/// message_start        {message:{id, model, usage:{input_tokens}}}   → chunk delta {role: assistant, content: ""}
/// content_block_start  {content_block:{type: tool_use, id, name}}    → chunk delta {tool_calls:[{id, function:{name}}]}
/// content_block_delta  {delta:{type: text_delta, text}}              → chunk delta {content: text}
///                      {delta:{type: input_json_delta, partial_json}} → chunk delta {tool_calls:[{function:{arguments}}]}
/// message_delta        {delta:{stop_reason}, usage:{output_tokens}}   → chunk {delta: {}, finish_reason}
/// message_stop                                                        → usage chunk (choices: []), then .done
/// ping, content_block_stop                                            → nothing
/// error                {error:{type, message}}                        → throws AttemptFailure
/// ```
/// A call of the request's ``AnthropicRequest/FormatTool`` is the answer: its input's pieces come as
/// `content`, and its `tool_use` stop as `finish_reason: stop`.
/// Events whose data is not JSON are skipped and counted in ``malformedEvents``.
public struct AnthropicStreamTranslator: Sendable {
    public private(set) var id = "msg"
    public private(set) var model = ""
    /// The prompt's usage from `message_start` (input, cache reads and writes), once reported.
    public private(set) var promptUsage: Usage?
    public private(set) var outputTokens: Int?
    public private(set) var finishReason: String?
    public private(set) var started = false
    public private(set) var stopped = false
    public private(set) var malformedEvents = 0
    private let created: Int
    private let formatTool: String?
    /// The OpenAI choice index of this stream's chunks (one stream per choice when `n` > 1).
    private let choiceIndex: Int
    /// Whether the end of the stream yields the usage chunk and `.done`; false for one of several
    /// choices' streams, whose caller ends them all at once (``trailer(id:model:created:usage:)``).
    private let endsTheStream: Bool
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndex: [Int: Int] = [:]
    /// The content-block index of the format tool's call, once it has begun.
    private var formatIndex: Int?

    /// - Parameters:
    ///   - formatTool: The name of the request's ``AnthropicRequest/FormatTool``, if any.
    ///   - choiceIndex: The choice this stream is, when it is one of several (`n` > 1).
    ///   - endsTheStream: False for one of several choices' streams (see ``trailer(id:model:created:usage:)``).
    public init(formatTool: String? = nil, choiceIndex: Int = 0, endsTheStream: Bool = true,
                created: Int = Int(Date().timeIntervalSince1970)) {
        self.formatTool = formatTool
        self.choiceIndex = choiceIndex
        self.endsTheStream = endsTheStream
        self.created = created
    }

    /// Usage so far, once `message_start` has reported the input tokens.
    public var usage: Usage? {
        promptUsage.map {
            Usage(promptTokens: $0.promptTokens, completionTokens: outputTokens ?? 0, cachedTokens: $0.cachedTokens, cacheWriteTokens: $0.cacheWriteTokens)
        }
    }

    /// Translates one event.
    /// - Throws: the mapped ``AttemptFailure`` for an `error` event.
    public mutating func translate(_ event: SSEEvent) throws(AttemptFailure) -> [StreamItem] {
        guard let json = try? JSONValue.parse(Array(event.data.utf8)), json.objectValue != nil else {
            malformedEvents += 1
            return []
        }
        switch json["type"]?.stringValue ?? event.event {
        case "message_start"?:
            let m = json["message"]
            id = m?["id"]?.stringValue ?? id
            model = m?["model"]?.stringValue ?? model
            if let u = AnthropicResponse.usage(m?["usage"]) {
                promptUsage = u
                outputTokens = u.completionTokens
            }
            started = true
            return [chunk(delta: ["role": .string("assistant"), "content": .string("")])]
        case "content_block_start"?:
            guard let block = json["content_block"], block["type"]?.stringValue == "tool_use",
                  let index = json["index"]?.intValue else { return [] }
            if formatTool != nil, block["name"]?.stringValue == formatTool {
                formatIndex = index
                return []
            }
            let n = toolIndex.count
            toolIndex[index] = n
            return [chunk(delta: ["tool_calls": .array([.object([
                "index": .int(Int64(n)), "id": block["id"] ?? .string(""), "type": .string("function"),
                "function": .object(["name": block["name"] ?? .string(""), "arguments": .string("")]),
            ])])])]
        case "content_block_delta"?:
            let delta = json["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta"?:
                guard let text = delta?["text"]?.stringValue else { return [] }
                return [chunk(delta: ["content": .string(text)])]
            case "input_json_delta"? where formatIndex != nil && json["index"]?.intValue == formatIndex:
                guard let part = delta?["partial_json"]?.stringValue, !part.isEmpty else { return [] }
                return [chunk(delta: ["content": .string(part)])]
            case "input_json_delta"?:
                guard let index = json["index"]?.intValue, let n = toolIndex[index],
                      let part = delta?["partial_json"]?.stringValue else { return [] }
                return [chunk(delta: ["tool_calls": .array([.object([
                    "index": .int(Int64(n)), "function": .object(["arguments": .string(part)]),
                ])])])]
            default:
                return []  // thinking, signatures, citations: no OpenAI counterpart
            }
        case "message_delta"?:
            if let out = json["usage"]?["output_tokens"]?.intValue { outputTokens = out }
            if promptUsage == nil, let u = AnthropicResponse.usage(json["usage"]) { promptUsage = u }
            var stopReason = json["delta"]?["stop_reason"]?.stringValue
            if formatIndex != nil, toolIndex.isEmpty, stopReason == "tool_use" { stopReason = "end_turn" }  // the answer, not a call
            guard let reason = AnthropicResponse.finishReason(stopReason) else { return [] }
            finishReason = reason
            return [chunk(delta: [:], finishReason: reason)]
        case "message_stop"?:
            stopped = true
            return finish()
        case "error"?:
            var failure = AnthropicError.failure(streamError: json)
            failure.billedUsage = usage
            throw failure
        default:
            return []  // ping, content_block_stop, and event types added later
        }
    }

    /// The stream's connection ended. A stream that reached its finish reason ends cleanly
    /// (usage chunk and `.done`, even without `message_stop`); one that did not is cut.
    /// - Throws: ``AttemptFailure/Kind/streamCut`` with the usage billed so far.
    public mutating func end() throws(AttemptFailure) -> [StreamItem] {
        if stopped { return [] }
        guard finishReason != nil else {
            throw AttemptFailure(kind: .streamCut, message: started
                                    ? "the stream ended before the answer finished"
                                    : "the stream ended before it started",
                                 status: 200, billedUsage: usage)
        }
        stopped = true
        return finish()
    }

    private func finish() -> [StreamItem] {
        endsTheStream ? Self.trailer(id: id, model: model, created: created, usage: usage) : []
    }

    /// The end of a stream: the usage chunk (`choices: []`) when there is usage, then `.done`.
    public static func trailer(id: String, model: String, created: Int, usage: Usage?) -> [StreamItem] {
        var items: [StreamItem] = []
        if let usage {
            items.append(item(.object(base(id: id, model: model, created: created, choices: [], usage: usage.openAIValue))))
        }
        items.append(.done)
        return items
    }

    private func chunk(delta: [String: JSONValue], finishReason: String? = nil) -> StreamItem {
        Self.item(.object(Self.base(id: id, model: model, created: created, choices: [.object([
            "index": .int(Int64(choiceIndex)), "delta": .object(delta),
            "finish_reason": finishReason.map(JSONValue.string) ?? .null,
        ])])))
    }

    private static func base(id: String, model: String, created: Int, choices: [JSONValue], usage: JSONValue? = nil) -> [String: JSONValue] {
        var o: [String: JSONValue] = [
            "id": .string(id), "object": .string("chat.completion.chunk"), "created": .int(Int64(created)),
            "model": .string(model), "choices": .array(choices),
        ]
        if let usage { o["usage"] = usage }
        return o
    }

    private static func item(_ json: JSONValue) -> StreamItem {
        .chunk(data: String(decoding: json.encoded(), as: UTF8.self), json: json)
    }
}
