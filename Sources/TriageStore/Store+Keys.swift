import Foundation

extension Store {
    static let keyColumns = """
        k.id, k.team_id, t.name, k.name, k.prefix, k.hash, k.created_at, k.revoked_at, t.rpm_limit, k.expires_at, t.tpm_limit, k.replaced_by, \
        t.max_concurrent, (SELECT o.budget_nano FROM api_keys o WHERE o.id = coalesce(k.budget_key_id, k.id)), k.budget_key_id
        """

    /// A key from a row of ``keyColumns``.
    static func key(_ r: SQLiteRow) -> APIKeyRecord {
        APIKeyRecord(id: r.int64(0), teamID: r.int64(1), teamName: r.text(2), name: r.textOrNil(3), prefix: r.text(4),
                     hash: r.blob(5), createdAt: r.date(6), revokedAt: r.dateOrNil(7), teamRequestsPerMinute: r.intOrNil(8),
                     teamTokensPerMinute: r.intOrNil(10), expiresAt: r.dateOrNil(9), replacedBy: r.int64OrNil(11),
                     teamMaxConcurrent: r.intOrNil(12), budgetNano: r.int64OrNil(13),
                     // With a budget, the key whose budget it is: the one a rotation started from, else this one.
                     budgetKeyID: r.int64OrNil(13) == nil ? nil : (r.int64OrNil(14) ?? r.int64(0)))
    }

    /// Inserts a key's row inside the caller's write transaction. - Returns: its id.
    private static func insertKey(_ db: SQLiteConnection, teamID: Int64, name: String?, prefix: String, hash: [UInt8], expiresAt: Date?,
                                  budgetNano: Int64? = nil, budgetKeyID: Int64? = nil, now: Date) throws(StoreError) -> Int64 {
        let id = try nextID(db, of: .apiKeys)
        _ = try db.run("INSERT INTO api_keys(id, team_id, name, prefix, hash, created_at, expires_at, budget_nano, budget_key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [.integer(id), .integer(teamID), SQLiteValue(name), .text(prefix), .blob(hash), SQLiteValue(now), SQLiteValue(expiresAt),
                        SQLiteValue(budgetNano), SQLiteValue(budgetKeyID)])
        return id
    }

    /// Stores a new key's prefix and hash for a team (never the key itself), when it expires
    /// (nil: never) and its own budget (nil: none); with an `actor`, the audit trail records who
    /// created it.
    public func createKey(teamID: Int64, name: String?, prefix: String, hash: [UInt8], expiresAt: Date? = nil, budgetNano: Int64? = nil,
                          by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Int64 {
        try locked(writing: "createKey") { db throws(StoreError) in
            let id = try Self.insertKey(db, teamID: teamID, name: name, prefix: prefix, hash: hash, expiresAt: expiresAt, budgetNano: budgetNano, now: now)
            if actor != nil {
                let team = try db.queryFirst("SELECT name FROM teams WHERE id = ?", [.integer(teamID)]) { $0.text(0) } ?? "team \(teamID)"
                let expiry = expiresAt.map { "expires \(ISO8601DateFormatter().string(from: $0))" } ?? "never expires"
                let budget = budgetNano.map { ", budget \(AuditText.usd($0))" } ?? ""
                try Self.audit(db, actor, .keyCreate, target: team,
                               detail: "key \(prefix) (id \(id)\(name.map { ", '\($0)'" } ?? "")), \(expiry)\(budget)", at: now)
            }
            return id
        }
    }

    /// The key with this prefix, revoked or not.
    public func key(prefix: String) throws(StoreError) -> APIKeyRecord? {
        try locked("key") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id WHERE k.prefix = ?",
                              [.text(prefix)], Self.key)
        }
    }

    /// Keys, optionally of one team, newest first.
    public func keys(teamID: Int64? = nil) throws(StoreError) -> [APIKeyRecord] {
        try locked("keys") { db throws(StoreError) in
            if let teamID {
                return try db.query("SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id WHERE k.team_id = ? ORDER BY k.id DESC",
                                    [.integer(teamID)], Self.key)
            }
            return try db.query("SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id ORDER BY k.id DESC", [], Self.key)
        }
    }

    /// Revokes a key by id or prefix. - Returns: false when no active key matched.
    @discardableResult
    public func revokeKey(_ idOrPrefix: String, by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Bool {
        try locked(writing: "revokeKey") { db throws(StoreError) in
            let matched = try db.query("""
                SELECT k.id, k.prefix, t.name FROM api_keys k JOIN teams t ON t.id = k.team_id
                WHERE (k.prefix = ? OR CAST(k.id AS TEXT) = ?) AND k.revoked_at IS NULL
                """, [.text(idOrPrefix), .text(idOrPrefix)]) { (id: $0.int64(0), prefix: $0.text(1), team: $0.text(2)) }
            for key in matched {
                try Self.audit(db, actor, .keyRevoke, target: key.team, detail: "key \(key.prefix) (id \(key.id))", at: now)
            }
            return try db.run("UPDATE api_keys SET revoked_at = ? WHERE (prefix = ? OR CAST(id AS TEXT) = ?) AND revoked_at IS NULL",
                              [SQLiteValue(now), .text(idOrPrefix), .text(idOrPrefix)]) > 0
        }
    }
}

extension Store {
    /// What ``rotateKey(_:newPrefix:newHash:newExpiresAt:oldExpiresAt:by:now:)`` did.
    public enum Rotation: Sendable, Equatable {
        /// The old key, as it is now (its new expiry, the key that replaced it), the new key's
        /// id and when it expires (nil: never).
        case rotated(old: APIKeyRecord, newID: Int64, newExpiresAt: Date?)
        /// No active, unexpired key matched.
        case notFound
        /// The key was rotated before: the key with this prefix replaced it.
        case alreadyReplaced(byPrefix: String)
    }

    /// Replaces an active key: in one transaction, a new key for the same team with the same name,
    /// and the old key set to expire at `oldExpiresAt` (or sooner, if it already expired sooner),
    /// so clients can move to the new key before the old one stops. With an `actor`, the audit trail
    /// records both keys.
    /// - Parameters:
    ///   - idOrPrefix: The key to replace, by id or prefix.
    ///   - newExpiresAt: The new key's expiry, given the old key (nil: never).
    public func rotateKey(_ idOrPrefix: String, newPrefix: String, newHash: [UInt8], newExpiresAt: (APIKeyRecord) -> Date?,
                          oldExpiresAt: Date, by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Rotation {
        try locked(writing: "rotateKey") { db throws(StoreError) in
            guard var old = try db.queryFirst("""
                SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id
                WHERE (k.prefix = ? OR CAST(k.id AS TEXT) = ?) AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)
                """, [.text(idOrPrefix), .text(idOrPrefix), SQLiteValue(now)], Self.key) else { return .notFound }
            if let successor = old.replacedBy {
                let prefix = try db.queryFirst("SELECT prefix FROM api_keys WHERE id = ?", [.integer(successor)]) { $0.text(0) }
                return .alreadyReplaced(byPrefix: prefix ?? "id \(successor)")
            }
            let stops = min(old.expiresAt ?? oldExpiresAt, oldExpiresAt)
            let expires = newExpiresAt(old)
            // The new key shares the old one's budget and what it spent (a rotation never resets a key's budget).
            let newID = try Self.insertKey(db, teamID: old.teamID, name: old.name, prefix: newPrefix, hash: newHash, expiresAt: expires,
                                           budgetKeyID: try Self.budgetOwner(db, keyID: old.id), now: now)
            _ = try db.run("UPDATE api_keys SET expires_at = ?, replaced_by = ? WHERE id = ?", [SQLiteValue(stops), .integer(newID), .integer(old.id)])
            let format = ISO8601DateFormatter()
            try Self.audit(db, actor, .keyRotate, target: old.teamName,
                           detail: "key \(old.prefix) (id \(old.id)) → key \(newPrefix) (id \(newID)\(old.name.map { ", '\($0)'" } ?? ""), "
                               + (expires.map { "expires \(format.string(from: $0))" } ?? "never expires")
                               + "); \(old.prefix) stops at \(format.string(from: stops))", at: now)
            old.expiresAt = stops
            old.replacedBy = newID
            return .rotated(old: old, newID: newID, newExpiresAt: expires)
        }
    }
}
