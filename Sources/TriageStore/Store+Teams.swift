import Foundation

extension Store {
    /// The columns ``team(_:)`` reads, in its order.
    static let teamColumns = "id, name, budget_nano, period, soft_limit, created_at, rpm_limit, tpm_limit, max_concurrent"

    /// A team from a row of ``teamColumns``.
    static func team(_ r: SQLiteRow) -> TeamRecord {
        TeamRecord(id: r.int64(0), name: r.text(1), budgetNano: r.int64OrNil(2), period: r.text(3),
                   softLimit: r.doubleOrNil(4), createdAt: r.date(5), requestsPerMinute: r.intOrNil(6), tokensPerMinute: r.intOrNil(7),
                   maxConcurrent: r.intOrNil(8))
    }

    /// Creates a team; with an `actor`, the audit trail records who did.
    /// - Throws: a constraint violation (`isConstraintViolation`) when the name is taken.
    @discardableResult
    public func createTeam(name: String, budgetNano: Int64?, period: String, softLimit: Double?, requestsPerMinute: Int? = nil,
                           tokensPerMinute: Int? = nil, maxConcurrent: Int? = nil, by actor: String? = nil,
                           now: Date = Date()) throws(StoreError) -> TeamRecord {
        try locked(writing: "createTeam") { db throws(StoreError) in
            let id = try Self.nextID(db, of: .teams)
            _ = try db.run("INSERT INTO teams(id, name, budget_nano, period, soft_limit, created_at, rpm_limit, tpm_limit, max_concurrent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [.integer(id), .text(name), SQLiteValue(budgetNano), .text(period), SQLiteValue(softLimit), SQLiteValue(now),
                            SQLiteValue(requestsPerMinute), SQLiteValue(tokensPerMinute), SQLiteValue(maxConcurrent)])
            let team = TeamRecord(id: id, name: name, budgetNano: budgetNano, period: period, softLimit: softLimit, createdAt: now,
                                  requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, maxConcurrent: maxConcurrent)
            try Self.audit(db, actor, .teamCreate, target: name, detail: AuditText.describe(team), at: now)
            return team
        }
    }

    /// Every team, by name.
    public func teams() throws(StoreError) -> [TeamRecord] {
        try locked("teams") { db throws(StoreError) in
            try db.query("SELECT \(Self.teamColumns) FROM teams ORDER BY name", [], Self.team)
        }
    }

    /// Every team's name by its id (for rows of the request log, which holds ids only).
    public func teamNames() throws(StoreError) -> [Int64: String] {
        try locked("teamNames") { db throws(StoreError) in
            Dictionary(uniqueKeysWithValues: try db.query("SELECT id, name FROM teams") { ($0.int64(0), $0.text(1)) })
        }
    }

    public func team(named name: String) throws(StoreError) -> TeamRecord? {
        try locked("team") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE name = ?", [.text(name)], Self.team)
        }
    }

    public func team(id: Int64) throws(StoreError) -> TeamRecord? {
        try locked("team") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE id = ?", [.integer(id)], Self.team)
        }
    }

    /// Changes a team's budget and rate settings; nil arguments leave a field as it is. With an
    /// `actor`, the audit trail records who changed what, from what to what (nothing when nothing
    /// changed).
    /// - Returns: the updated team, or nil when there is no such team.
    public func updateTeam(name: String, budgetNano: Int64?? = nil, period: String? = nil, softLimit: Double?? = nil,
                           requestsPerMinute: Int?? = nil, tokensPerMinute: Int?? = nil, maxConcurrent: Int?? = nil, by actor: String? = nil,
                           now: Date = Date()) throws(StoreError) -> TeamRecord? {
        try locked(writing: "updateTeam") { db throws(StoreError) in
            guard let old = try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE name = ?", [.text(name)], Self.team) else { return nil }
            if let budgetNano {
                _ = try db.run("UPDATE teams SET budget_nano = ? WHERE name = ?", [SQLiteValue(budgetNano), .text(name)])
            }
            if let period {
                _ = try db.run("UPDATE teams SET period = ? WHERE name = ?", [.text(period), .text(name)])
            }
            if let softLimit {
                _ = try db.run("UPDATE teams SET soft_limit = ? WHERE name = ?", [SQLiteValue(softLimit), .text(name)])
            }
            if let requestsPerMinute {
                _ = try db.run("UPDATE teams SET rpm_limit = ? WHERE name = ?", [SQLiteValue(requestsPerMinute), .text(name)])
            }
            if let tokensPerMinute {
                _ = try db.run("UPDATE teams SET tpm_limit = ? WHERE name = ?", [SQLiteValue(tokensPerMinute), .text(name)])
            }
            if let maxConcurrent {
                _ = try db.run("UPDATE teams SET max_concurrent = ? WHERE name = ?", [SQLiteValue(maxConcurrent), .text(name)])
            }
            let new = try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE name = ?", [.text(name)], Self.team)
            if let new, let changes = AuditText.changes(from: old, to: new) {
                try Self.audit(db, actor, .teamUpdate, target: name, detail: changes, at: now)
            }
            return new
        }
    }

    /// Deletes a team and its keys; its ledger rows stay (spend history is never erased).
    /// - Returns: false when there was no such team.
    @discardableResult
    public func deleteTeam(name: String, by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Bool {
        try locked(writing: "deleteTeam") { db throws(StoreError) in
            guard let id = try db.queryFirst("SELECT id FROM teams WHERE name = ?", [.text(name)], { $0.int64(0) }) else { return false }
            let keys = try db.queryFirst("SELECT COUNT(*) FROM api_keys WHERE team_id = ? AND revoked_at IS NULL", [.integer(id)]) { $0.int(0) } ?? 0
            try Self.audit(db, actor, .teamDelete, target: name, detail: "\(keys) active keys deleted with it; its ledger rows stay", at: now)
            _ = try db.run("DELETE FROM api_keys WHERE team_id = ?", [.integer(id)])
            _ = try db.run("DELETE FROM reservations WHERE team_id = ?", [.integer(id)])
            return try db.run("DELETE FROM teams WHERE id = ?", [.integer(id)]) > 0
        }
    }
}

extension Store {
    /// A table whose ids are never reused (``nextID(_:of:)``).
    enum IDTable: String {
        case teams
        case apiKeys = "api_keys"
    }

    /// The next id of `table`, inside the caller's write transaction: one past the largest it ever
    /// gave out (`id_sequences`, schema v20) and past any row there now (one an older version
    /// inserted), so a deleted row's id never comes back.
    static func nextID(_ db: SQLiteConnection, of table: IDTable) throws(StoreError) -> Int64 {
        let last = try db.queryFirst("SELECT last_id FROM id_sequences WHERE name = ?", [.text(table.rawValue)]) { $0.int64(0) } ?? 0
        let largest = try db.queryFirst(table == .teams ? "SELECT coalesce(max(id), 0) FROM teams" : "SELECT coalesce(max(id), 0) FROM api_keys",
                                        []) { $0.int64(0) } ?? 0
        let next = max(last, largest) + 1
        _ = try db.run("INSERT INTO id_sequences(name, last_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_id = excluded.last_id",
                       [.text(table.rawValue), .integer(next)])
        return next
    }
}
