import Yams

/// Reads typed values out of a YAML node, naming the field path in every error.
struct NodeReader {
    let node: Node
    let path: String
    var key: String = ""

    init(node: Node, path: String, key: String = "") {
        self.node = node
        self.path = path
        self.key = key
    }

    private func field(_ k: String) -> String { path.isEmpty ? k : path + "." + k }

    /// Rejects keys not in `allowed` (catches typos).
    func allowOnly(_ allowed: Set<String>) throws(ConfigError) {
        guard let m = node.mapping else { throw ConfigError(field: path, problem: "expected a mapping") }
        for (k, _) in m {
            let name = k.string ?? "?"
            if !allowed.contains(name) {
                throw ConfigError(field: field(name), problem: "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    private func value(_ k: String) -> Node? {
        guard let v = node[k] else { return nil }
        if case .scalar(let s) = v, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return nil }
        return v
    }

    func child(_ k: String) throws(ConfigError) -> NodeReader? {
        guard let v = value(k) else { return nil }
        return NodeReader(node: v, path: field(k))
    }

    func string(_ k: String) throws(ConfigError) -> String? {
        guard let v = value(k) else { return nil }
        guard case .scalar(let s) = v else { throw ConfigError(field: field(k), problem: "expected a string") }
        return s.string
    }

    func int(_ k: String, min: Int? = nil, max: Int? = nil) throws(ConfigError) -> Int? {
        guard let v = value(k) else { return nil }
        guard let i = v.int else { throw ConfigError(field: field(k), problem: "expected a whole number, got '\(v.string ?? "?")'") }
        if let min, i < min { throw ConfigError(field: field(k), problem: "must be at least \(min), got \(i)") }
        if let max, i > max { throw ConfigError(field: field(k), problem: "must be at most \(max), got \(i)") }
        return i
    }

    /// A number in `min...max`. The default `max` (a billion: seconds, dollars, rates) keeps every
    /// value far from the overflow of the integer durations and nano-dollar amounts made from it.
    func double(_ k: String, min: Double? = nil, max: Double = 1e9) throws(ConfigError) -> Double? {
        guard let v = value(k) else { return nil }
        guard let d = v.float ?? v.int.map(Double.init), d.isFinite else {
            throw ConfigError(field: field(k), problem: "expected a number, got '\(v.string ?? "?")'")
        }
        if let min, d < min { throw ConfigError(field: field(k), problem: "must be at least \(min), got \(d)") }
        if d > max { throw ConfigError(field: field(k), problem: "must be at most \(max), got \(d)") }
        return d
    }

    func bool(_ k: String) throws(ConfigError) -> Bool? {
        guard let v = value(k) else { return nil }
        guard let b = v.bool else { throw ConfigError(field: field(k), problem: "expected true or false, got '\(v.string ?? "?")'") }
        return b
    }

    func stringList(_ k: String) throws(ConfigError) -> [String]? {
        guard let v = value(k) else { return nil }
        guard let seq = v.sequence else { throw ConfigError(field: field(k), problem: "expected a list of strings") }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            guard case .scalar(let s) = item else { throw ConfigError(field: "\(field(k))[\(i)]", problem: "expected a string") }
            out.append(s.string)
        }
        return out
    }

    /// A mapping of names to strings (`name: value`), in the file's order.
    func stringMapping() throws(ConfigError) -> [(key: String, value: String)] {
        guard let m = node.mapping else { throw ConfigError(field: path, problem: "expected a mapping of name: value") }
        var out: [(key: String, value: String)] = []
        for (k, v) in m {
            let name = k.string ?? "?"
            guard case .scalar(let s) = v else { throw ConfigError(field: field(name), problem: "expected a string") }
            out.append((name, s.string))
        }
        return out
    }

    func mappingEntries() throws(ConfigError) -> [NodeReader] {
        guard let m = node.mapping else { throw ConfigError(field: path, problem: "expected a mapping of name: settings") }
        var out: [NodeReader] = []
        for (k, v) in m {
            let name = k.string ?? "?"
            guard v.mapping != nil else { throw ConfigError(field: field(name), problem: "expected a mapping of settings") }
            out.append(NodeReader(node: v, path: field(name), key: name))
        }
        return out
    }

    func sequenceItems() throws(ConfigError) -> [NodeReader] {
        guard let s = node.sequence else { throw ConfigError(field: path, problem: "expected a list") }
        var out: [NodeReader] = []
        for (i, v) in s.enumerated() {
            guard v.mapping != nil else { throw ConfigError(field: "\(path)[\(i)]", problem: "expected a mapping of settings") }
            out.append(NodeReader(node: v, path: "\(path)[\(i)]"))
        }
        return out
    }
}
