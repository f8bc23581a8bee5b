/// The shape checks OpenAI makes of a chat request, made before any worker or provider sees it, so
/// a malformed request costs no provider call and gets the same `400 invalid_field` (naming the
/// field, as `messages[2].role`) whichever tier it would have gone to. Fields Triage does not
/// interpret and that OpenAI does not bound here pass through unchanged.
extension ChatRequest {
    /// The roles OpenAI's chat API accepts.
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]
    /// The numeric parameters OpenAI bounds, with their ranges.
    static let numberRanges: [(key: String, range: ClosedRange<Double>)] = [
        ("temperature", 0...2), ("top_p", 0...1), ("presence_penalty", -2...2), ("frequency_penalty", -2...2),
    ]

    /// Checks one message: a known role; content a string or an array of parts (only an assistant
    /// turn that calls a tool, or refuses, may leave it out); a tool result names its call.
    static func validate(message m: JSONValue, at i: Int, role: String) throws(TriageError) {
        guard roles.contains(role) else {
            throw .invalidField("messages[\(i)].role", "expected one of \(roles.sorted().joined(separator: ", ")); got '\(role)'")
        }
        switch m["content"] {
        case .string?:
            break
        case .array(let parts)?:
            for (j, part) in parts.enumerated() where part["type"]?.stringValue == nil {
                throw .invalidField("messages[\(i)].content[\(j)]", "expected a content part object with a 'type'")
            }
        case nil, .null?:
            let callsOrRefuses = ["tool_calls", "function_call", "refusal", "audio"].contains { m[$0] != nil && m[$0] != .null }
            guard role == "assistant", callsOrRefuses else { throw .missingField("messages[\(i)].content") }
        default:
            throw .invalidField("messages[\(i)].content", "expected a string or an array of content parts")
        }
        if role == "tool", m["tool_call_id"]?.stringValue == nil {
            throw .missingField("messages[\(i)].tool_call_id")
        }
    }

    /// The parameters OpenAI takes only as booleans.
    static let booleans = ["logprobs", "parallel_tool_calls", "store"]

    /// Checks the sampling and shape parameters OpenAI bounds: `n`, `temperature`, `top_p`, the
    /// penalties, `stop`, `tools`, `tool_choice`, `response_format`, `stream_options`, the
    /// booleans, `top_logprobs` (0-20, with `logprobs: true`), `seed` and `user`.
    static func validate(parameters o: [String: JSONValue]) throws(TriageError) {
        func present(_ key: String) -> JSONValue? {
            guard let v = o[key], v != .null else { return nil }
            return v
        }
        if let v = present("n") {
            guard let n = v.intValue, (1...128).contains(n) else { throw .invalidField("n", "expected a whole number from 1 to 128") }
        }
        for (key, range) in numberRanges {
            if let v = present(key) {
                guard let d = v.doubleValue, range.contains(d) else {
                    throw .invalidField(key, "expected a number from \(range.lowerBound.formatted) to \(range.upperBound.formatted)")
                }
            }
        }
        switch present("stop") {
        case nil, .string?: break
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): break
        default: throw .invalidField("stop", "expected a string or an array of strings")
        }
        if let v = present("tools") {
            guard let tools = v.arrayValue, tools.allSatisfy({ $0.objectValue != nil }) else {
                throw .invalidField("tools", "expected an array of tool objects")
            }
        }
        switch present("tool_choice") {
        case nil, .string?, .object?: break
        default: throw .invalidField("tool_choice", "expected a string or an object")
        }
        if let v = present("response_format"), v["type"]?.stringValue == nil {
            throw .invalidField("response_format", "expected an object with a 'type'")
        }
        if let v = present("stream_options"), v.objectValue == nil {
            throw .invalidField("stream_options", "expected an object")
        }
        for key in booleans {
            if let v = present(key), v.boolValue == nil { throw .invalidField(key, "expected a boolean") }
        }
        if let v = present("top_logprobs") {
            guard let k = v.intValue, (0...20).contains(k) else { throw .invalidField("top_logprobs", "expected a whole number from 0 to 20") }
            guard present("logprobs")?.boolValue == true else { throw .invalidField("top_logprobs", "needs logprobs set to true") }
        }
        if let v = present("seed"), v.intValue == nil { throw .invalidField("seed", "expected an integer") }
        if let v = present("user"), v.stringValue == nil { throw .invalidField("user", "expected a string") }
    }
}

private extension Double {
    /// `2` for 2.0, `0.5` for 0.5.
    var formatted: String { rounded() == self ? String(Int(self)) : String(self) }
}
