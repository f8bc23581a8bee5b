import Foundation

extension Store {
    private static let keyColumns = "k.id, k.team_id, t.name, k.name, k.prefix, k.hash, k.created_at, k.revoked_at, t.rpm_limit, k.expires_at, t.tpm_limit"

    private static func key(_ r: SQLiteRow) -> APIKeyRecord {
        APIKeyRecord(id: r.int64(0), teamID: r.int64(1), teamName: r.text(2), name: r.textOrNil(3), prefix: r.text(4),
                     hash: r.blob(5), createdAt: r.date(6), revokedAt: r.dateOrNil(7), teamRequestsPerMinute: r.intOrNil(8),
                     teamTokensPerMinute: r.intOrNil(10), expiresAt: r.dateOrNil(9))
    }

    /// Stores a new key's prefix and hash for a team (never the key itself), and when it expires (nil: never).
    public func createKey(teamID: Int64, name: String?, prefix: String, hash: [UInt8], expiresAt: Date? = nil,
                          now: Date = Date()) throws(StoreError) -> Int64 {
        try locked(writing: "createKey") { db throws(StoreError) in
            _ = try db.run("INSERT INTO api_keys(team_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [.integer(teamID), SQLiteValue(name), .text(prefix), .blob(hash), SQLiteValue(now), SQLiteValue(expiresAt)])
            return db.lastInsertRowID
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
    public func revokeKey(_ idOrPrefix: String, now: Date = Date()) throws(StoreError) -> Bool {
        try locked(writing: "revokeKey") { db throws(StoreError) in
            try db.run("UPDATE api_keys SET revoked_at = ? WHERE (prefix = ? OR CAST(id AS TEXT) = ?) AND revoked_at IS NULL",
                       [SQLiteValue(now), .text(idOrPrefix), .text(idOrPrefix)]) > 0
        }
    }
}
