import Foundation

/// A tool a request offers (OpenAI `tools[].function`, Anthropic `tools[]`): its name and the
/// parts of its JSON Schema the simulated model fills in.
struct SimTool: Sendable, Equatable {
    var name: String
    /// Property names with their JSON Schema `type` (nil when not a plain string), in the schema's order.
    var properties: [(name: String, type: String?)]
    var required: [String]?

    static func == (a: SimTool, b: SimTool) -> Bool {
        a.name == b.name && a.required == b.required && a.properties.map(\.name) == b.properties.map(\.name)
            && a.properties.map(\.type) == b.properties.map(\.type)
    }
}

/// The tool call the simulated model makes when a request offers tools, in place of a text answer.
///
/// It calls the tool `tool_choice` names, else the first one offered, unless `tool_choice` is
/// `none`, the conversation already ends with a tool's result (then it answers in text, as a
/// model does once it has what it asked for), or the model's behaviour has a fixed `answer`. Its arguments are a JSON object holding every
/// required property (every property when none is marked required) with a value of the
/// property's type: `"sim"`, `1`, `1.5`, `true`, `[]`, `{}`. They are written with a space after
/// each `:` and `,`, so a stream sends them in several pieces. The `tool_args_malformed` behaviour
/// drops the closing brace (the fault a cheap model makes).
struct SimToolCall: Sendable, Equatable {
    var id: String
    var name: String
    /// One argument: its name and its value as JSON text.
    var arguments: [(name: String, json: String)]

    static func == (a: SimToolCall, b: SimToolCall) -> Bool {
        a.id == b.id && a.name == b.name && a.arguments.map(\.name) == b.arguments.map(\.name) && a.arguments.map(\.json) == b.arguments.map(\.json)
    }

    /// The call for this request, or nil when the model answers in text.
    /// - Parameters:
    ///   - tools: The tools offered.
    ///   - forced: The tool `tool_choice` names; nil for `auto`/`required`/absent.
    ///   - none: `tool_choice` is `none`.
    ///   - afterToolResult: The conversation's last message is a tool's result.
    static func decide(tools: [SimTool], forced: String?, none: Bool, afterToolResult: Bool) -> SimToolCall? {
        guard !tools.isEmpty, !none, !afterToolResult else { return nil }
        let tool = forced.flatMap { name in tools.first { $0.name == name } } ?? tools[0]
        return SimToolCall(id: "call_sim_" + String(UInt64.random(in: 0...UInt64.max), radix: 16), name: tool.name,
                           arguments: arguments(properties: tool.properties, required: tool.required))
    }

    /// A schema's values: every required property (every property when none is marked required)
    /// with a value of its type.
    static func arguments(properties: [(name: String, type: String?)], required: [String]?) -> [(name: String, json: String)] {
        let required = required.map(Set.init)
        return properties.filter { required?.contains($0.name) ?? true }.map { ($0.name, Self.value(of: $0.type)) }
    }

    private static func value(of type: String?) -> String {
        switch type {
        case "integer"?: "1"
        case "number"?: "1.5"
        case "boolean"?: "true"
        case "array"?: "[]"
        case "object"?: "{}"
        case "null"?: "null"
        default: "\"sim\""
        }
    }

    /// The arguments as OpenAI sends them: a JSON object in a string; `malformed` leaves it unclosed.
    func argumentsText(malformed: Bool) -> String {
        let body = arguments.map { "\(Self.quoted($0.name)): \($0.json)" }.joined(separator: ", ")
        return "{" + body + (malformed ? "" : "}")
    }

    /// Anthropic's `input`: the same object, encoded as JSON (not as a string).
    var input: SimToolInput { SimToolInput(arguments: arguments) }

    private static func quoted(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A tool call's arguments as a JSON object value (Anthropic's `tool_use.input`).
struct SimToolInput: Encodable, Sendable {
    var arguments: [(name: String, json: String)]

    private struct Empty: Encodable {}

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SimCodingKey.self)
        for (name, json) in arguments {
            let key = SimCodingKey(name)
            switch json {
            case "1": try c.encode(1, forKey: key)
            case "1.5": try c.encode(1.5, forKey: key)
            case "true": try c.encode(true, forKey: key)
            case "[]": try c.encode([Int](), forKey: key)
            case "{}": try c.encode(Empty(), forKey: key)
            case "null": try c.encodeNil(forKey: key)
            default: try c.encode("sim", forKey: key)
            }
        }
    }
}

/// A tool's JSON Schema as far as the simulated model reads it: `properties` (with each one's
/// `type` when it is a plain string) and `required`. Anything else is ignored.
struct SimToolSchema: Decodable, Sendable {
    var properties: [(name: String, type: String?)] = []
    var required: [String]?

    private struct Property: Decodable {
        var type: String?
        init(from decoder: any Decoder) throws {
            let c = try? decoder.container(keyedBy: SimCodingKey.self)
            type = try? c?.decodeIfPresent(String.self, forKey: SimCodingKey("type"))
        }
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SimCodingKey.self)
        required = try? c.decodeIfPresent([String].self, forKey: SimCodingKey("required"))
        guard let props = try? c.nestedContainer(keyedBy: SimCodingKey.self, forKey: SimCodingKey("properties")) else { return }
        // JSON objects decode unordered; sorted names keep the arguments deterministic.
        for key in props.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            properties.append((key.stringValue, (try? props.decode(Property.self, forKey: key))?.type))
        }
    }
}
