/// One query of routing benchmark data (the format of `shared/data/routellm/*.jsonl`):
/// the prompt and each model's quality on it in [0, 1].
public struct RoutingExample: Sendable, Equatable {
    public var id: String
    public var source: String
    public var category: String
    public var prompt: String
    /// Model name → quality on this query.
    public var scores: [String: Double]

    public init(id: String, source: String, category: String, prompt: String, scores: [String: Double]) {
        self.id = id
        self.source = source
        self.category = category
        self.prompt = prompt
        self.scores = scores
    }

    /// Parses one JSON line. `responses` and unknown fields are ignored.
    /// - Throws: ``RoutingDataError`` naming the missing or malformed field.
    public init(jsonLine bytes: some Collection<UInt8>) throws(RoutingDataError) {
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw .invalid("invalid JSON: \(error)") }
        guard case .object(let o) = v else { throw .invalid("expected a JSON object") }
        func string(_ key: String) throws(RoutingDataError) -> String {
            guard let s = o[key]?.stringValue else { throw .invalid("missing string field '\(key)'") }
            return s
        }
        id = try string("id")
        prompt = try string("prompt")
        source = o["source"]?.stringValue ?? String(id.split(separator: "/").first ?? "")
        category = o["category"]?.stringValue ?? source
        guard let raw = o["scores"]?.objectValue, !raw.isEmpty else { throw .invalid("missing object field 'scores'") }
        var scores: [String: Double] = [:]
        for (model, value) in raw {
            guard let d = value.doubleValue, d.isFinite else { throw .invalid("scores.\(model) is not a number") }
            scores[model] = d
        }
        self.scores = scores
    }

    /// Parses JSONL bytes: one example per non-empty line.
    /// - Throws: ``RoutingDataError`` with the 1-based line number.
    public static func parseJSONL(_ bytes: [UInt8]) throws(RoutingDataError) -> [RoutingExample] {
        var out: [RoutingExample] = []
        var line = 1
        var start = 0
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == 0x0A {
                let slice = bytes[start..<i]
                if slice.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
                    do { out.append(try RoutingExample(jsonLine: slice)) } catch {
                        throw .atLine(line, error.description)
                    }
                }
                line += 1
                start = i + 1
            }
            i += 1
        }
        return out
    }
}

/// Why routing data could not be read.
public enum RoutingDataError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case atLine(Int, String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        case .atLine(let n, let why): "line \(n): \(why)"
        }
    }
}
