import TriageCore

/// Translates an OpenAI chat-completions body into an Anthropic Messages API body. Pure.
///
/// - `system` and `developer` messages → `system` (joined by blank lines)
/// - `user` / `assistant` → the same roles; consecutive messages of one role are merged
/// - assistant `tool_calls` → `tool_use` blocks; `tool` messages → `tool_result` blocks in a user turn
/// - text and `image_url` parts → `text` and `image` blocks
/// - `max_completion_tokens` / `max_tokens` → `max_tokens` (Anthropic requires it: default 4096)
/// - `stop` → `stop_sequences`; `temperature` (capped at 1), `top_p`, `stream`, `user` → `metadata.user_id`
/// - `tools` → `tools` with `input_schema`; `tool_choice` → Anthropic's form; `parallel_tool_calls:
///   false` → the tool choice's `disable_parallel_tool_use`
/// - `response_format` (`json_schema` with an object schema, or `json_object`), which Anthropic has no
///   field for → one more tool, the ``FormatTool``, whose input is the answer; the model is made to call
///   it when the request offers no tools of its own (``AnthropicResponse`` and
///   ``AnthropicStreamTranslator`` turn its input back into the answer's text)
/// - `cache_control` on content parts (system messages' too) and on tools (LiteLLM's way of asking
///   for Anthropic's prompt caching in OpenAI's shape) → the same marks on the blocks and tools; a
///   system prompt with marks goes as blocks. With ``PromptCacheMode/auto`` and no marks of its own,
///   a request gets them at the end of its tools, its system prompt and its last message.
public enum AnthropicRequest {
    /// The `max_tokens` sent when the request sets none.
    public static let defaultMaxTokens = 4096

    /// The tool that carries a `response_format` answer: the model's call of it, with the answer as
    /// its input, is the one way to get JSON that follows a schema from the Messages API.
    public struct FormatTool: Sendable, Equatable {
        /// The tool's name: the schema's `name` when it is a valid tool name no offered tool has,
        /// else `json_answer`.
        public var name: String
        /// Its `input_schema`: the format's schema, or any object for `json_object`.
        public var schema: JSONValue
    }

    /// The format tool for a request's `response_format`, or nil when it asks for none (`text`, or
    /// absent) or for a schema whose top level is not an object (a tool's input always is one).
    public static func formatTool(for openAI: JSONValue) -> FormatTool? {
        guard let format = openAI["response_format"] else { return nil }
        let schema: JSONValue
        var name = "json_answer"
        switch format["type"]?.stringValue {
        case "json_object"?:
            schema = .object(["type": .string("object")])
        case "json_schema"?:
            let spec = format["json_schema"]
            schema = spec?["schema"] ?? .object(["type": .string("object")])
            guard schema.objectValue != nil, (schema["type"]?.stringValue ?? "object") == "object" else { return nil }
            let offered = Set((openAI["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue })
            if let given = spec?["name"]?.stringValue, isToolName(given), !offered.contains(given) { name = given }
        default:
            return nil
        }
        return FormatTool(name: name, schema: schema)
    }

    /// Anthropic's rule for tool names: 1 to 64 of letters, digits, `_` and `-`.
    static func isToolName(_ s: String) -> Bool {
        (1...64).contains(s.utf8.count) && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }
    }

    public static func body(fromOpenAI openAI: JSONValue, defaultMaxTokens: Int = defaultMaxTokens,
                            promptCache: PromptCacheMode = .off) -> JSONValue {
        var out: [String: JSONValue] = [:]
        out["model"] = openAI["model"] ?? .string("")
        var system: [JSONValue] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for m in openAI["messages"]?.arrayValue ?? [] {
            let role = m["role"]?.stringValue ?? "user"
            switch role {
            case "system", "developer":
                system += textBlocks(m["content"]).filter { $0["type"]?.stringValue == "text" }
            case "assistant":
                var blocks = textBlocks(m["content"])
                for call in m["tool_calls"]?.arrayValue ?? [] {
                    let args = call["function"]?["arguments"]?.stringValue ?? "{}"
                    let input = (try? JSONValue.parse(Array(args.utf8))) ?? .object([:])
                    blocks.append(.object(["type": .string("tool_use"), "id": call["id"] ?? .string(""),
                                           "name": call["function"]?["name"] ?? .string(""), "input": input]))
                }
                add("assistant", blocks)
            case "tool", "function":
                let text = textBlocks(m["content"]).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
                add("user", [.object(["type": .string("tool_result"), "tool_use_id": m["tool_call_id"] ?? .string(""), "content": .string(text)])])
            default:
                add("user", textBlocks(m["content"]))
            }
        }
        let format = formatTool(for: openAI)
        let ownTools = openAI["tools"]?.arrayValue?.isEmpty == false
        if let format, ownTools {
            system.append(.object(["type": .string("text"),
                                   "text": .string("When you give your final answer rather than call a tool, give it by calling the tool `\(format.name)`.")]))
        }

        let maxTokens = openAI["max_completion_tokens"]?.intValue ?? openAI["max_tokens"]?.intValue ?? defaultMaxTokens
        out["max_tokens"] = .int(Int64(maxTokens))
        switch openAI["stop"] {
        case .string(let s)?: out["stop_sequences"] = .array([.string(s)])
        case .array(let a)?: out["stop_sequences"] = .array(a.filter { $0.stringValue != nil })
        default: break
        }
        if let t = openAI["temperature"]?.doubleValue { out["temperature"] = .double(min(max(t, 0), 1)) }
        if let p = openAI["top_p"]?.doubleValue { out["top_p"] = .double(p) }
        if openAI["stream"]?.boolValue == true { out["stream"] = .bool(true) }
        if let user = openAI["user"]?.stringValue { out["metadata"] = .object(["user_id": .string(user)]) }
        var tools: [JSONValue] = (openAI["tools"]?.arrayValue ?? []).compactMap { t in
            guard let f = t["function"], let name = f["name"] else { return nil }
            var tool: [String: JSONValue] = ["name": name, "input_schema": f["parameters"] ?? .object(["type": .string("object")])]
            if let d = f["description"] { tool["description"] = d }
            if let mark = t["cache_control"] ?? f["cache_control"], mark.objectValue != nil { tool["cache_control"] = mark }
            return .object(tool)
        }
        if let format {
            tools.append(.object(["name": .string(format.name), "input_schema": format.schema,
                                  "description": .string("Give your whole answer as this tool's input.")]))
        }
        let requestMarked = PromptCacheMarks.anyMarked(tools) || PromptCacheMarks.anyMarked(system)
            || turns.contains { PromptCacheMarks.anyMarked($0.blocks) }
        if promptCache == .auto, !requestMarked {
            PromptCacheMarks.markLast(&tools)
            PromptCacheMarks.markLast(&system)
            if !turns.isEmpty { PromptCacheMarks.markLast(&turns[turns.count - 1].blocks) }
        }
        if !tools.isEmpty { out["tools"] = .array(tools) }
        if PromptCacheMarks.anyMarked(system) {
            out["system"] = .array(system)  // blocks keep their marks
        } else if !system.isEmpty {
            out["system"] = .string(system.compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n"))
        }
        out["messages"] = .array(turns.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) })
        switch openAI["tool_choice"] {
        case .string("auto")?: out["tool_choice"] = .object(["type": .string("auto")])
        case .string("required")?: out["tool_choice"] = .object(["type": .string("any")])
        case .string("none")?: out["tool_choice"] = .object(["type": .string("none")])
        case .object(let o)?:
            if let name = o["function"]?["name"] { out["tool_choice"] = .object(["type": .string("tool"), "name": name]) }
        default:
            if let format, !ownTools { out["tool_choice"] = .object(["type": .string("tool"), "name": .string(format.name)]) }
        }
        if openAI["parallel_tool_calls"]?.boolValue == false, ownTools {
            var choice = out["tool_choice"]?.objectValue ?? ["type": .string("auto")]
            if choice["type"]?.stringValue != "none" {
                choice["disable_parallel_tool_use"] = .bool(true)
                out["tool_choice"] = .object(choice)
            }
        }
        return .object(out)
    }

    /// The content of an OpenAI message as Anthropic content blocks.
    static func textBlocks(_ content: JSONValue?) -> [JSONValue] {
        switch content {
        case .string(let s)?:
            return s.isEmpty ? [] : [.object(["type": .string("text"), "text": .string(s)])]
        case .array(let parts)?:
            return parts.compactMap { part -> JSONValue? in
                switch part["type"]?.stringValue {
                case "text"?:
                    return part["text"].map { PromptCacheMarks.keeping(part, .object(["type": .string("text"), "text": $0])) }
                case "image_url"?:
                    guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else { return nil }
                    return PromptCacheMarks.keeping(part, .object(["type": .string("image"), "source": imageSource(url)]))
                default:
                    return nil
                }
            }
        default:
            return []
        }
    }

    /// `data:image/png;base64,...` → a base64 source; anything else → a URL source.
    static func imageSource(_ url: String) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let meta = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            let mediaType = meta.split(separator: ";").first.map(String.init) ?? "image/png"
            return .object(["type": .string("base64"), "media_type": .string(mediaType), "data": .string(String(url[url.index(after: comma)...]))])
        }
        return .object(["type": .string("url"), "url": .string(url)])
    }
}
