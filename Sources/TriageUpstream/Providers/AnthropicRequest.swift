import TriageCore

/// Translates an OpenAI chat-completions body into an Anthropic Messages API body. Pure.
///
/// - `system` and `developer` messages → `system` (joined by blank lines)
/// - `user` / `assistant` → the same roles; consecutive messages of one role are merged
/// - assistant `tool_calls` → `tool_use` blocks; `tool` messages → `tool_result` blocks in a user turn
/// - text and `image_url` parts → `text` and `image` blocks
/// - `max_completion_tokens` / `max_tokens` → `max_tokens` (Anthropic requires it: default 4096)
/// - `stop` → `stop_sequences`; `temperature` (capped at 1), `top_p`, `stream`, `user` → `metadata.user_id`
/// - `tools` → `tools` with `input_schema`; `tool_choice` → Anthropic's form
public enum AnthropicRequest {
    /// The `max_tokens` sent when the request sets none.
    public static let defaultMaxTokens = 4096

    public static func body(fromOpenAI openAI: JSONValue, defaultMaxTokens: Int = defaultMaxTokens) -> JSONValue {
        var out: [String: JSONValue] = [:]
        out["model"] = openAI["model"] ?? .string("")
        var system: [String] = []
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
                let text = textBlocks(m["content"]).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
                if !text.isEmpty { system.append(text) }
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
        if !system.isEmpty { out["system"] = .string(system.joined(separator: "\n\n")) }
        out["messages"] = .array(turns.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) })

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
        if let tools = openAI["tools"]?.arrayValue {
            out["tools"] = .array(tools.compactMap { t in
                guard let f = t["function"], let name = f["name"] else { return nil }
                var tool: [String: JSONValue] = ["name": name, "input_schema": f["parameters"] ?? .object(["type": .string("object")])]
                if let d = f["description"] { tool["description"] = d }
                return .object(tool)
            })
        }
        switch openAI["tool_choice"] {
        case .string("auto")?: out["tool_choice"] = .object(["type": .string("auto")])
        case .string("required")?: out["tool_choice"] = .object(["type": .string("any")])
        case .string("none")?: out["tool_choice"] = .object(["type": .string("none")])
        case .object(let o)?:
            if let name = o["function"]?["name"] { out["tool_choice"] = .object(["type": .string("tool"), "name": name]) }
        default: break
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
                    return part["text"].map { .object(["type": .string("text"), "text": $0]) }
                case "image_url"?:
                    guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else { return nil }
                    return .object(["type": .string("image"), "source": imageSource(url)])
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
