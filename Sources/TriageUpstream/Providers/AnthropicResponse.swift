import Foundation
import TriageCore

/// Translates Anthropic Messages API answers into OpenAI shapes. Pure.
public enum AnthropicResponse {
    /// Anthropic's `stop_reason` as an OpenAI `finish_reason`.
    public static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: nil
        case "end_turn"?, "stop_sequence"?, "pause_turn"?: "stop"
        case "max_tokens"?, "model_context_window_exceeded"?: "length"
        case "tool_use"?: "tool_calls"
        case "refusal"?: "content_filter"
        default: "stop"
        }
    }

    /// Anthropic's `usage` as ``Usage``: cache reads and writes count as prompt tokens (Anthropic's
    /// `input_tokens` leaves them out), kept apart so that they are priced at their own rates.
    public static func usage(_ value: JSONValue?) -> Usage? {
        guard let u = value, let input = u["input_tokens"]?.intValue else { return nil }
        let written = max(0, u["cache_creation_input_tokens"]?.intValue ?? 0)
        let read = max(0, u["cache_read_input_tokens"]?.intValue ?? 0)
        return Usage(promptTokens: max(0, input) + written + read, completionTokens: u["output_tokens"]?.intValue ?? 0,
                     cachedTokens: read, cacheWriteTokens: written)
    }

    /// The answers of one request asked `n` times (the Messages API gives one choice a call) as one
    /// `chat.completion` with their choices in order, indexed 0 to n-1; its usage is their sum.
    public static func merged(_ parts: [Completion]) -> Completion {
        guard parts.count > 1, case .object(var body)? = parts.first?.body else { return parts.first ?? Completion(body: .object([:]), usage: nil) }
        var choices: [JSONValue] = []
        for part in parts {
            guard case .object(var choice)? = part.body["choices"]?.arrayValue?.first else { continue }
            choice["index"] = .int(Int64(choices.count))
            choices.append(.object(choice))
        }
        body["choices"] = .array(choices)
        let usage = parts.compactMap(\.usage).total
        if let usage { body["usage"] = usage.openAIValue }
        return Completion(body: .object(body), usage: usage)
    }

    /// A Messages API `message` object as an OpenAI `chat.completion`.
    /// - Parameter formatTool: The name of the request's ``AnthropicRequest/FormatTool``: a call of it
    ///   is the answer (its input, as JSON text, is the message's content, and replaces any text
    ///   before it), not a tool call.
    /// - Returns: nil when the body is not a message.
    public static func completion(fromMessage message: JSONValue, formatTool: String? = nil,
                                  created: Int = Int(Date().timeIntervalSince1970)) -> Completion? {
        guard message["type"]?.stringValue == "message", let blocks = message["content"]?.arrayValue else { return nil }
        var text = ""
        var toolCalls: [JSONValue] = []
        var formatted: String?
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text"?:
                text += block["text"]?.stringValue ?? ""
            case "tool_use"? where formatTool != nil && block["name"]?.stringValue == formatTool:
                formatted = String(decoding: (block["input"] ?? .object([:])).encoded(), as: UTF8.self)
            case "tool_use"?:
                toolCalls.append(.object([
                    "id": block["id"] ?? .string(""), "type": .string("function"),
                    "function": .object(["name": block["name"] ?? .string(""),
                                         "arguments": .string(String(decoding: (block["input"] ?? .object([:])).encoded(), as: UTF8.self))]),
                ]))
            default:
                break  // thinking and other blocks have no OpenAI counterpart
            }
        }
        // A message of tool calls alone has null content, as OpenAI's has.
        let content: JSONValue = formatted.map(JSONValue.string) ?? (text.isEmpty && !toolCalls.isEmpty ? .null : .string(text))
        var msg: [String: JSONValue] = ["role": .string("assistant"), "content": content]
        if !toolCalls.isEmpty { msg["tool_calls"] = .array(toolCalls) }
        var stopReason = message["stop_reason"]?.stringValue
        if formatted != nil, toolCalls.isEmpty, stopReason == "tool_use" { stopReason = "end_turn" }  // the answer, not a call
        let usage = usage(message["usage"])
        var body: [String: JSONValue] = [
            "id": message["id"] ?? .string("msg"),
            "object": .string("chat.completion"),
            "created": .int(Int64(created)),
            "model": message["model"] ?? .string(""),
            "choices": .array([.object([
                "index": .int(0),
                "message": .object(msg),
                "finish_reason": finishReason(stopReason).map(JSONValue.string) ?? .null,
            ])]),
        ]
        if let usage { body["usage"] = usage.openAIValue }
        return Completion(body: .object(body), usage: usage)
    }
}
