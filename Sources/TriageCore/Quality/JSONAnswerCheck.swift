/// Checks an answer against a request's `response_format` (`json_object`, or `json_schema` with
/// its schema's `type`, `required`, `properties` and `enum`).
enum JSONAnswerCheck {
    static func problem(_ answer: String, format: JSONValue) -> String? {
        guard let type = format["type"]?.stringValue, type == "json_object" || type == "json_schema" else { return nil }
        let trimmed = answer.trimmingPrefixAndSuffix()
        guard let value = try? JSONValue.parse(Array(trimmed.utf8)) else { return "the answer is not JSON" }
        if type == "json_object", value.objectValue == nil { return "the answer is JSON but not an object" }
        if type == "json_schema", let schema = format["json_schema"]?["schema"] {
            return violation(value, schema: schema, path: "$")
        }
        return nil
    }

    /// The first way `value` breaks `schema`, for the common keywords.
    static func violation(_ value: JSONValue, schema: JSONValue, path: String) -> String? {
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) { return "\(path) is not one of the allowed values" }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) { return "\(path) should be of type \(type)" }
        if case .object(let o) = value {
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[key] == nil {
                return "\(path).\(key) is required"
            }
            for (key, sub) in schema["properties"]?.objectValue ?? [:] {
                if let v = o[key], let problem = violation(v, schema: sub, path: "\(path).\(key)") { return problem }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() {
                if let problem = violation(item, schema: itemSchema, path: "\(path)[\(i)]") { return problem }
            }
        }
        return nil
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
        case ("integer", .int): true
        case ("integer", .double(let d)): d.rounded() == d
        case ("number", .int), ("number", .double): true
        default: false
        }
    }
}

extension String {
    /// The answer without surrounding whitespace or a ```json fence around it.
    func trimmingPrefixAndSuffix() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        if s.hasPrefix("```") {
            s = s.drop { $0 != "\n" }
            if s.hasSuffix("```") { s = s.dropLast(3) }
        }
        return String(s)
    }
}
