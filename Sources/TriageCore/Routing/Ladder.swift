/// The ordered tier ladder, cheapest first. Climbing goes towards higher indices.
public struct Ladder: Sendable, Equatable {
    public var tiers: [TierConfig]
    /// Other names a request's `model` may use (`aliases` in the config): each stands for `auto`, a
    /// tier name or a configured model (validated at load time).
    public var aliases: [String: String]

    public init(tiers: [TierConfig], aliases: [String: String] = [:]) {
        self.tiers = tiers
        self.aliases = aliases
    }

    /// How a request's `model` field picked its first tier.
    public enum Entry: Sendable, Equatable {
        /// `model: auto`: the classifier decides.
        case auto
        /// A tier name, or a configured model name: start at this index.
        case fixed(index: Int, reason: String)
    }

    /// Resolves a request's `model`: `auto`, a tier name, a configured model name, or an alias of one.
    /// - Throws: `TriageError.modelNotFound` for anything else.
    public func entry(for model: String) throws(TriageError) -> Entry {
        if let target = aliases[model] {
            switch try entry(named: target) {
            case .auto: return .auto
            case .fixed(let index, let reason): return .fixed(index: index, reason: reason + " (as '\(model)')")
            }
        }
        return try entry(named: model)
    }

    private func entry(named model: String) throws(TriageError) -> Entry {
        if model == "auto" { return .auto }
        if let i = tiers.firstIndex(where: { $0.name == model }) {
            return .fixed(index: i, reason: "tier '\(model)' requested")
        }
        if let i = tiers.firstIndex(where: { $0.model == model }) {
            return .fixed(index: i, reason: "model '\(model)' requested")
        }
        throw .modelNotFound(model)
    }

    /// The index a complexity class maps to: a tier of the same name if there is one,
    /// otherwise the same relative position on the ladder.
    public func index(for complexity: Complexity) -> Int {
        if let i = tiers.firstIndex(where: { $0.name == complexity.rawValue }) { return i }
        let last = max(tiers.count - 1, 0)
        switch complexity {
        case .simple: return 0
        case .medium: return last / 2 + (last % 2)
        case .complex: return last
        }
    }
}
