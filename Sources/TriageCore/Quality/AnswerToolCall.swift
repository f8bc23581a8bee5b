/// A tool call an answer makes (OpenAI `tool_calls[].function`, or the legacy `function_call`),
/// as the quality checks see it: an answer that calls a tool has no text to judge, and its call
/// is judged instead.
public struct AnswerToolCall: Sendable, Equatable {
    public var name: String
    /// The arguments as the model wrote them: JSON text, which should be an object.
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }

    /// The tool calls of a non-stream answer's first choice (`choices[0].message`).
    public static func calls(inCompletion completion: JSONValue) -> [AnswerToolCall] {
        guard let message = completion["choices"]?.arrayValue?.first?["message"] else { return [] }
        var calls = (message["tool_calls"]?.arrayValue ?? []).compactMap { call -> AnswerToolCall? in
            guard let function = call["function"] else { return nil }
            return AnswerToolCall(name: function["name"]?.stringValue ?? "", arguments: function["arguments"]?.stringValue ?? "")
        }
        if let legacy = message["function_call"], legacy.objectValue != nil {
            calls.append(AnswerToolCall(name: legacy["name"]?.stringValue ?? "", arguments: legacy["arguments"]?.stringValue ?? ""))
        }
        return calls
    }

    /// What is wrong with this call for `request`, or nil: a name the request does not offer
    /// (when it offers tools), arguments that are not a JSON object, or a property its schema
    /// requires left out. Empty arguments count as `{}` (some servers send them for a tool
    /// without parameters).
    public func problem(for request: ChatRequest) -> String? {
        guard !name.isEmpty else { return "a tool call without a function name" }
        let offered = Self.offeredTools(request)
        let schema: JSONValue?
        if offered.isEmpty {
            schema = nil
        } else if let match = offered.first(where: { $0.name == name }) {
            schema = match.parameters
        } else {
            return "calls '\(name)', which the request does not offer (\(offered.map(\.name).joined(separator: ", ")))"
        }
        let text = arguments.utf8.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D } ? "{}" : arguments
        guard let parsed = try? JSONValue.parse(Array(text.utf8)), let object = parsed.objectValue else {
            return "the arguments of '\(name)' are not a JSON object"
        }
        let missing = (schema?["required"]?.arrayValue ?? []).compactMap(\.stringValue).filter { object[$0] == nil }
        if !missing.isEmpty {
            return "the arguments of '\(name)' lack \(missing.map { "'\($0)'" }.joined(separator: ", ")), which its schema requires"
        }
        return nil
    }

    /// The functions a request offers: `tools[].function` and the legacy `functions[]`.
    static func offeredTools(_ request: ChatRequest) -> [(name: String, parameters: JSONValue?)] {
        var out: [(name: String, parameters: JSONValue?)] = []
        for tool in request.body["tools"]?.arrayValue ?? [] {
            if let function = tool["function"], let name = function["name"]?.stringValue { out.append((name, function["parameters"])) }
        }
        for function in request.body["functions"]?.arrayValue ?? [] {
            if let name = function["name"]?.stringValue { out.append((name, function["parameters"])) }
        }
        return out
    }
}

/// Puts a stream's tool calls together from their pieces: each `delta.tool_calls[]` entry names
/// its call by `index`; the first piece of a call carries its name, later ones append to its
/// arguments (the legacy `delta.function_call` is one call). Anthropic streams arrive translated
/// into the same shape.
public struct ToolCallAccumulator: Sendable {
    private var byIndex: [Int: AnswerToolCall] = [:]
    private var order: [Int] = []

    public init() {}

    /// Adds the tool-call pieces of one chunk's `delta`.
    /// - Returns: the bytes of arguments added (what the call has generated, for estimates).
    @discardableResult
    public mutating func add(delta: JSONValue) -> Int {
        var added = 0
        for piece in delta["tool_calls"]?.arrayValue ?? [] {
            added += add(index: piece["index"]?.intValue ?? 0, function: piece["function"])
        }
        if let legacy = delta["function_call"], legacy.objectValue != nil {
            added += add(index: -1, function: legacy)
        }
        return added
    }

    private mutating func add(index: Int, function: JSONValue?) -> Int {
        if byIndex[index] == nil {
            byIndex[index] = AnswerToolCall(name: "", arguments: "")
            order.append(index)
        }
        if let name = function?["name"]?.stringValue, !name.isEmpty { byIndex[index]?.name += name }
        let arguments = function?["arguments"]?.stringValue ?? ""
        byIndex[index]?.arguments += arguments
        return arguments.utf8.count + (function?["name"]?.stringValue?.utf8.count ?? 0)
    }

    /// The bytes of tool-call pieces in one chunk's `delta`, as ``add(delta:)`` counts them, without
    /// keeping them (another choice's pieces, with `n` > 1).
    public static func bytes(in delta: JSONValue) -> Int {
        var scratch = ToolCallAccumulator()
        return scratch.add(delta: delta)
    }

    /// The calls so far, in the order they began.
    public var calls: [AnswerToolCall] { order.compactMap { byIndex[$0] } }

    /// Whether any tool-call piece arrived.
    public var isEmpty: Bool { order.isEmpty }
}
