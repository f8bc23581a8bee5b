import Foundation

/// A key's own budget and what was spent under it in its team's current period.
public struct KeyBudgetStatus: Sendable, Equatable {
    /// The key whose budget applies (the key itself, or the one a rotation started from).
    public var keyID: Int64
    /// That key's prefix and name, for messages.
    public var prefix: String
    public var name: String?
    public var budgetNano: Int64
    /// Settled spend under the budget in the current period (by every key that shares it).
    public var spentNano: Int64
    /// Reservations of requests in flight under the budget.
    public var reservedNano: Int64

    public init(keyID: Int64, prefix: String, name: String?, budgetNano: Int64, spentNano: Int64, reservedNano: Int64) {
        self.keyID = keyID
        self.prefix = prefix
        self.name = name
        self.budgetNano = budgetNano
        self.spentNano = spentNano
        self.reservedNano = reservedNano
    }
}

extension Store {
    /// The key whose budget applies to `keyID`: itself, or the key a rotation started from.
    static func budgetOwner(_ db: SQLiteConnection, keyID: Int64) throws(StoreError) -> Int64 {
        try db.queryFirst("SELECT coalesce(budget_key_id, id) FROM api_keys WHERE id = ?", [.integer(keyID)]) { $0.int64(0) } ?? keyID
    }

    /// The budget of key `ownerID` (see ``budgetOwner(_:keyID:)``) and its position in the period
    /// starting at `periodStart`; nil when it has no budget.
    static func keyStatus(_ db: SQLiteConnection, ownerID: Int64, periodStart: Date, now: Date) throws(StoreError) -> KeyBudgetStatus? {
        guard let key = try db.queryFirst("SELECT prefix, name, budget_nano FROM api_keys WHERE id = ? AND budget_nano IS NOT NULL",
                                          [.integer(ownerID)], { (prefix: $0.text(0), name: $0.textOrNil(1), budget: $0.int64(2)) }) else { return nil }
        let spent = try db.queryFirst("SELECT spent_nano FROM key_spend_periods WHERE key_id = ? AND period_start = ?",
                                      [.integer(ownerID), SQLiteValue(periodStart)]) { $0.int64(0) } ?? 0
        let reserved = try db.queryFirst("SELECT coalesce(sum(amount_nano), 0) FROM reservations WHERE key_id = ? AND expires_at > ?",
                                         [.integer(ownerID), SQLiteValue(now)]) { $0.int64(0) } ?? 0
        return KeyBudgetStatus(keyID: ownerID, prefix: key.prefix, name: key.name, budgetNano: key.budget, spentNano: spent, reservedNano: reserved)
    }

    /// Adds a settled cost to the spend of the key budget it was made under, in the caller's transaction.
    static func addKeySpend(_ db: SQLiteConnection, ownerID: Int64, periodStart: Date, costNano: Int64) throws(StoreError) {
        _ = try db.run("""
            INSERT INTO key_spend_periods(key_id, period_start, spent_nano) VALUES (?, ?, ?)
            ON CONFLICT(key_id, period_start) DO UPDATE SET spent_nano = spent_nano + excluded.spent_nano
            """, [.integer(ownerID), SQLiteValue(periodStart), .integer(costNano)])
    }

    /// Sets or removes (nil) the budget of a key, by id or prefix; for a key made by rotation, the
    /// budget it shares with the key it replaced. The spend the budget counts from is what the keys
    /// sharing it already spent in the team's current period, taken from the ledger. With an
    /// `actor`, the audit trail records the change.
    /// - Parameter periodStart: the start of the team's current period, given the team.
    /// - Returns: the key as it is now, or nil when no key matched.
    public func setKeyBudget(_ idOrPrefix: String, budgetNano: Int64?, periodStart: (TeamRecord) -> Date, by actor: String? = nil,
                             now: Date = Date()) throws(StoreError) -> APIKeyRecord? {
        try locked(writing: "setKeyBudget") { db throws(StoreError) in
            guard let key = try db.queryFirst("""
                SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id WHERE k.prefix = ? OR CAST(k.id AS TEXT) = ?
                """, [.text(idOrPrefix), .text(idOrPrefix)], Self.key) else { return nil }
            let owner = try Self.budgetOwner(db, keyID: key.id)
            guard let team = try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE id = ?", [.integer(key.teamID)], Self.team) else { return nil }
            _ = try db.run("UPDATE api_keys SET budget_nano = ? WHERE id = ?", [SQLiteValue(budgetNano), .integer(owner)])
            if budgetNano != nil {
                let start = periodStart(team)
                _ = try db.run("""
                    INSERT INTO key_spend_periods(key_id, period_start, spent_nano)
                    SELECT ?, ?, coalesce(sum(cost_nano), 0) FROM ledger
                    WHERE team_id = ? AND period_start = ? AND key_id IN (SELECT id FROM api_keys WHERE coalesce(budget_key_id, id) = ?)
                    ON CONFLICT(key_id, period_start) DO UPDATE SET spent_nano = excluded.spent_nano
                    """, [.integer(owner), SQLiteValue(start), .integer(key.teamID), SQLiteValue(start), .integer(owner)])
            }
            if key.budgetNano != budgetNano {
                try Self.audit(db, actor, .keyUpdate, target: team.name,
                               detail: "key \(key.prefix) (id \(key.id)): budget \(key.budgetNano.map(AuditText.usd) ?? "none") → \(budgetNano.map(AuditText.usd) ?? "none")",
                               at: now)
            }
            return try db.queryFirst("SELECT \(Self.keyColumns) FROM api_keys k JOIN teams t ON t.id = k.team_id WHERE k.id = ?",
                                     [.integer(key.id)], Self.key)
        }
    }

    /// The budget position of a key (by id) that has one, in its team's period starting at
    /// `periodStart`; nil when it has none.
    public func keyBudgetStatus(keyID: Int64, periodStart: Date, now: Date = Date()) throws(StoreError) -> KeyBudgetStatus? {
        try locked(reading: "keyBudgetStatus") { db throws(StoreError) in
            try Self.keyStatus(db, ownerID: try Self.budgetOwner(db, keyID: keyID), periodStart: periodStart, now: now)
        }
    }
}
