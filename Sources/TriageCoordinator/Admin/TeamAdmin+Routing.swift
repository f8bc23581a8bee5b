import TriageCore
import TriageStore

extension TeamAdmin {
    /// A team's routing policy as shown (`triage team policy`, `/admin/teams/{name}/routing`).
    public struct RoutingView: Codable, Sendable, Equatable {
        public var team: String
        public var dial: Double?
        public var dialMin: Double?
        public var dialMax: Double?
        public var maxTier: String?

        enum CodingKeys: String, CodingKey {
            case team, dial
            case dialMin = "dial_min", dialMax = "dial_max", maxTier = "max_tier"
        }
    }

    /// A team's routing policy.
    public func routingPolicy(_ team: String) throws(TriageError) -> RoutingView {
        let record: TeamRecord
        do {
            guard let t = try store.team(named: team) else { throw TriageError.notFound("No team named '\(team)'.") }
            record = t
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
        let p: TeamRoutingPolicy
        do { p = try store.routingPolicy(teamID: record.id) } catch { throw .internalError("\(error)") }
        return RoutingView(team: team, dial: p.dial, dialMin: p.dialMin, dialMax: p.dialMax, maxTier: p.maxTier)
    }

    /// Replaces a team's routing policy; nil fields are unset (no bound). Requests of the team
    /// may then move their dial only within [dial_min, dial_max] and use no tier above max_tier.
    /// - Throws: 400 for values off [0, 1], `dial_min > dial_max`, a default dial outside the
    ///   range, or an unknown tier; 404 for an unknown team.
    public func setRoutingPolicy(_ team: String, _ policy: TeamRoutingPolicy) throws(TriageError) -> RoutingView {
        for (name, v) in [("dial", policy.dial), ("dial_min", policy.dialMin), ("dial_max", policy.dialMax)] {
            if let v, !(v.isFinite && (0...1).contains(v)) { throw .invalidField(name, "expected a number from 0 to 1, got \(v)") }
        }
        let lo = policy.dialMin ?? 0, hi = policy.dialMax ?? 1
        guard lo <= hi else { throw .invalidField("dial_min", "must not exceed dial_max") }
        if let d = policy.dial, d < lo || d > hi { throw .invalidField("dial", "must lie within [dial_min, dial_max]") }
        if let t = policy.maxTier, !tiers.isEmpty, !tiers.contains(t) {
            throw .invalidField("max_tier", "expected a tier name (\(tiers.joined(separator: ", "))), got '\(t)'")
        }
        let found: Bool
        do { found = try store.setRoutingPolicy(team: team, policy, by: actor, now: now()) } catch { throw .internalError("\(error)") }
        guard found else { throw .notFound("No team named '\(team)'.") }
        return try routingPolicy(team)
    }
}
