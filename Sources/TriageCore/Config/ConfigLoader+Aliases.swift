extension ConfigLoader {
    /// `aliases: {gpt-4o: auto, gpt-4-turbo: complex}`: other names for `auto`, a tier or a configured
    /// model. An alias may not shadow one of those names (a request naming it would be ambiguous),
    /// nor point at another alias or at anything the ladder does not serve.
    static func readAliases(_ node: NodeReader?, tiers: [TierConfig]) throws(ConfigError) -> [String: String] {
        guard let node else { return [:] }
        let served = Set(["auto"] + tiers.map(\.name) + tiers.map(\.model))
        var out: [String: String] = [:]
        for (name, target) in try node.stringMapping() {
            let field = node.path + "." + name
            guard !name.isEmpty else { throw ConfigError(field: node.path, problem: "an alias needs a name") }
            guard !served.contains(name) else {
                throw ConfigError(field: field, problem: "'\(name)' is already auto, a tier or a configured model; an alias needs a name of its own")
            }
            guard served.contains(target) else {
                throw ConfigError(field: field, problem: "points at '\(target)', which is not auto, a tier or a configured model (one of: \(served.sorted().joined(separator: ", ")))")
            }
            out[name] = target
        }
        return out
    }
}
