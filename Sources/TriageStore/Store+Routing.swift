import Foundation

/// A team's routing policy (`triage team policy`, `PUT /admin/teams/{name}/routing`).
public struct TeamRoutingPolicy: Sendable, Equatable, Codable {
    /// The dial the team's requests get without `x-triage-dial` (nil: the neutral 0.5).
    public var dial: Double?
    /// The lowest dial a request may ask for (nil: 0).
    public var dialMin: Double?
    /// The highest dial a request may ask for (nil: 1).
    public var dialMax: Double?
    /// The highest tier the team's requests may start at or climb to (nil: the top).
    public var maxTier: String?

    public init(dial: Double? = nil, dialMin: Double? = nil, dialMax: Double? = nil, maxTier: String? = nil) {
        self.dial = dial
        self.dialMin = dialMin
        self.dialMax = dialMax
        self.maxTier = maxTier
    }

    /// True when nothing is set.
    public var isEmpty: Bool { dial == nil && dialMin == nil && dialMax == nil && maxTier == nil }
}

extension Store {
    /// A cached judge score, or nil.
    public func judgeDecision(key: String) throws(StoreError) -> Double? {
        try locked("judgeDecision") { db throws(StoreError) in
            try db.queryFirst("SELECT score FROM judge_decisions WHERE key = ?", [.text(key)]) { $0.double(0) }
        }
    }

    /// Stores (or replaces) a judge score.
    public func saveJudgeDecision(key: String, score: Double, model: String, now: Date = Date()) throws(StoreError) {
        try locked(writing: "saveJudgeDecision") { db throws(StoreError) in
            _ = try db.run("INSERT OR REPLACE INTO judge_decisions(key, score, model, created_at) VALUES (?, ?, ?, ?)",
                           [.text(key), SQLiteValue(score), .text(model), SQLiteValue(now)])
        }
    }

    /// The routing policy of a team (empty when none was set).
    public func routingPolicy(teamID: Int64) throws(StoreError) -> TeamRoutingPolicy {
        try locked("routingPolicy") { db throws(StoreError) in
            try db.queryFirst("SELECT dial, dial_min, dial_max, max_tier FROM team_routing WHERE team_id = ?", [.integer(teamID)]) {
                TeamRoutingPolicy(dial: $0.doubleOrNil(0), dialMin: $0.doubleOrNil(1), dialMax: $0.doubleOrNil(2), maxTier: $0.textOrNil(3))
            } ?? TeamRoutingPolicy()
        }
    }

    /// Replaces a team's routing policy (an empty policy removes it); with an `actor`, the audit
    /// trail records who did.
    /// - Returns: false when there is no such team.
    @discardableResult
    public func setRoutingPolicy(team: String, _ policy: TeamRoutingPolicy, by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Bool {
        try locked(writing: "setRoutingPolicy") { db throws(StoreError) in
            guard let id = try db.queryFirst("SELECT id FROM teams WHERE name = ?", [.text(team)], { $0.int64(0) }) else { return false }
            try Self.audit(db, actor, .teamPolicy, target: team, detail: AuditText.describe(policy), at: now)
            if policy.isEmpty {
                _ = try db.run("DELETE FROM team_routing WHERE team_id = ?", [.integer(id)])
            } else {
                _ = try db.run("INSERT OR REPLACE INTO team_routing(team_id, dial, dial_min, dial_max, max_tier) VALUES (?, ?, ?, ?, ?)",
                               [.integer(id), SQLiteValue(policy.dial), SQLiteValue(policy.dialMin), SQLiteValue(policy.dialMax), SQLiteValue(policy.maxTier)])
            }
            return true
        }
    }
}
