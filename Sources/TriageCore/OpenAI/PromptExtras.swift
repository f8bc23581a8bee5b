/// The prompt tokens a provider counts that no message text shows, estimated as a request is
/// parsed: tool definitions (`tools`, legacy `functions`), the tool calls of earlier assistant
/// turns, a `json_schema` response format, and images. Without them a request that offers a
/// large tool schema, or sends images, reserves far less than it is charged.
struct PromptExtras {
    /// Tokens of an image part with `detail: "low"` (OpenAI's fixed charge).
    static let lowDetailImageTokens = 85
    /// Tokens of any other image part: the most either OpenAI (gpt-4o, 2048×768 at high detail:
    /// 1,445) or Anthropic (about 1,600 at 1568 px on the long side) counts for one image.
    static let imageTokens = 1_600

    private var jsonBytes = 0
    private var imageTokens = 0

    /// The estimate: the JSON's bytes at about four bytes a token, plus the images.
    var tokens: Int { (jsonBytes + 3) / 4 + imageTokens }

    /// Counts one message's tool calls and image parts. The message's text is counted elsewhere.
    mutating func add(message m: JSONValue) {
        for key in ["tool_calls", "function_call"] {
            if let calls = m[key], calls != .null { jsonBytes += calls.encoded().count }
        }
        guard case .array(let parts)? = m["content"] else { return }
        for part in parts where part["type"]?.stringValue == "image_url" {
            imageTokens += part["image_url"]?["detail"]?.stringValue == "low" ? Self.lowDetailImageTokens : Self.imageTokens
        }
    }

    /// Counts the request's tool definitions and response schema.
    mutating func add(body o: [String: JSONValue]) {
        for key in ["tools", "functions"] {
            if let defs = o[key], defs != .null { jsonBytes += defs.encoded().count }
        }
        if let format = o["response_format"], format["type"]?.stringValue == "json_schema" {
            jsonBytes += format.encoded().count
        }
    }
}
