import Foundation

extension Store {
    /// Reserves `amountNano` for one attempt against the team's budget for the period starting
    /// at `periodStart`, in one `BEGIN IMMEDIATE` transaction: spent + reserved + amount must not
    /// exceed the budget.
    /// - Parameters:
    ///   - ttl: seconds after which the reservation no longer counts (a crashed owner's rows lapse).
    ///   - budgetKeyID: the key whose own budget applies too (``APIKeyRecord/budgetKeyID``): then
    ///     spent + reserved + amount must not exceed that budget either, and the reservation counts
    ///     against both.
    public func reserve(teamID: Int64, requestID: String, amountNano: Int64, periodStart: Date, now: Date,
                        ttl: TimeInterval, ownerPID: Int32, ownerHost: String, budgetKeyID: Int64? = nil) throws(StoreError) -> ReservationResult {
        try locked(writing: "reserve") { db throws(StoreError) in
            try Self.reserve(db, teamID: teamID, requestID: requestID, amountNano: amountNano, periodStart: periodStart, now: now,
                             ttl: ttl, ownerPID: ownerPID, ownerHost: ownerHost, budgetKeyID: budgetKeyID)
        }
    }

    /// ``reserve(teamID:requestID:amountNano:periodStart:now:ttl:ownerPID:ownerHost:budgetKeyID:)``'s
    /// work, inside a write transaction the caller holds.
    static func reserve(_ db: SQLiteConnection, teamID: Int64, requestID: String, amountNano: Int64, periodStart: Date, now: Date,
                        ttl: TimeInterval, ownerPID: Int32, ownerHost: String, budgetKeyID: Int64? = nil) throws(StoreError) -> ReservationResult {
        let status = try Self.status(db, teamID: teamID, periodStart: periodStart, now: now)
        let key = try budgetKeyID.flatMap { owner throws(StoreError) in try Self.keyStatus(db, ownerID: owner, periodStart: periodStart, now: now) }
        if let key, key.spentNano + key.reservedNano + amountNano > key.budgetNano { return .keyRefused(key: key, status: status) }
        if let budget = status.team.budgetNano, status.spentNano + status.reservedNano + amountNano > budget { return .refused(status: status) }
        // A team without a budget has nothing to reserve against, unless the key has a budget.
        guard status.team.budgetNano != nil || key != nil else { return .unlimited(status: status) }
        _ = try db.run("""
            INSERT INTO reservations(team_id, request_id, amount_nano, owner_pid, owner_host, created_at, expires_at, key_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(teamID), .text(requestID), .integer(amountNano), .integer(Int64(ownerPID)), .text(ownerHost),
                  SQLiteValue(now), SQLiteValue(now.addingTimeInterval(ttl)), SQLiteValue(key?.keyID)])
        return .reserved(id: db.lastInsertRowID, status: status, key: key)
    }

    /// Settles an attempt: takes its reservation `hold` off (its own row is deleted; a draw on a
    /// lease leaves the row alone), writes its ledger row and adds its cost to the team's spend for
    /// the period starting at `periodStart`, all in one transaction.
    public func settle(_ hold: ReservationHold, _ entry: LedgerEntry, periodStart: Date) throws(StoreError) {
        try locked(writing: "settle") { db throws(StoreError) in
            try Self.settle(db, hold, entry, periodStart: periodStart)
        }
    }

    /// ``settle(_:_:periodStart:)``'s work, inside a write transaction the caller holds.
    static func settle(_ db: SQLiteConnection, _ hold: ReservationHold, _ entry: LedgerEntry, periodStart: Date) throws(StoreError) {
        try drop(db, hold)
        _ = try db.run("""
            INSERT INTO ledger(team_id, request_id, created_at, period_start, tier, model, prompt_tokens,
                               completion_tokens, usage_estimated, cost_nano, outcome, key_id, end_user, cached_tokens, cache_write_tokens)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLiteValue(entry.teamID), .text(entry.requestID), SQLiteValue(entry.createdAt), SQLiteValue(periodStart),
                  SQLiteValue(entry.tier), SQLiteValue(entry.model), SQLiteValue(entry.promptTokens),
                  SQLiteValue(entry.completionTokens), SQLiteValue(entry.usageEstimated), .integer(entry.costNano),
                  .text(entry.outcome), SQLiteValue(entry.keyID), SQLiteValue(entry.endUser),
                  SQLiteValue(entry.cachedTokens), SQLiteValue(entry.cacheWriteTokens)])
        if let team = entry.teamID, entry.costNano != 0 {
            _ = try db.run("""
                INSERT INTO spend_periods(team_id, period_start, spent_nano) VALUES (?, ?, ?)
                ON CONFLICT(team_id, period_start) DO UPDATE SET spent_nano = spent_nano + excluded.spent_nano
                """, [.integer(team), SQLiteValue(periodStart), .integer(entry.costNano)])
        }
        if let owner = entry.budgetKeyID, entry.costNano != 0 {
            try addKeySpend(db, ownerID: owner, periodStart: periodStart, costNano: entry.costNano)
        }
    }

    /// The team and its spend and reservations in the current period, in one read: `periodStart`
    /// gives the start of the team's period (which depends on the team).
    /// - Returns: nil when there is no such team.
    public func budgetStatus(teamID: Int64, now: Date, periodStart: (TeamRecord) -> Date) throws(StoreError) -> (status: BudgetStatus, periodStart: Date)? {
        try locked(reading: "budgetStatus") { db throws(StoreError) in
            guard let team = try Self.team(db, id: teamID) else { return nil }
            let start = periodStart(team)
            return (try Self.status(db, team: team, periodStart: start, now: now), start)
        }
    }

    /// The team's spend and reservations in the period starting at `periodStart`.
    public func budgetStatus(teamID: Int64, periodStart: Date, now: Date) throws(StoreError) -> BudgetStatus {
        try locked(reading: "budgetStatus") { db throws(StoreError) in
            try Self.status(db, teamID: teamID, periodStart: periodStart, now: now)
        }
    }

    /// Reservations still counted (not expired), across all teams.
    public func activeReservationCount(now: Date) throws(StoreError) -> Int {
        try locked("activeReservationCount") { db throws(StoreError) in
            try db.queryFirst("SELECT count(*) FROM reservations WHERE expires_at > ?", [SQLiteValue(now)]) { $0.int(0) } ?? 0
        }
    }

    /// The sum of every ledger row, optionally of one team.
    public func ledgerTotalNano(teamID: Int64? = nil) throws(StoreError) -> Int64 {
        try locked("ledgerTotal") { db throws(StoreError) in
            if let teamID {
                return try db.queryFirst("SELECT coalesce(sum(cost_nano), 0) FROM ledger WHERE team_id = ?", [.integer(teamID)]) { $0.int64(0) } ?? 0
            }
            return try db.queryFirst("SELECT coalesce(sum(cost_nano), 0) FROM ledger") { $0.int64(0) } ?? 0
        }
    }

    private static func team(_ db: SQLiteConnection, id teamID: Int64) throws(StoreError) -> TeamRecord? {
        try db.queryFirst("SELECT \(Self.teamColumns) FROM teams WHERE id = ?", [.integer(teamID)], Self.team)
    }

    static func status(_ db: SQLiteConnection, teamID: Int64, periodStart: Date, now: Date) throws(StoreError) -> BudgetStatus {
        guard let team = try team(db, id: teamID) else {
            throw StoreError(code: 12 /* SQLITE_NOTFOUND */, message: "no team with id \(teamID)", operation: "budgetStatus")
        }
        return try status(db, team: team, periodStart: periodStart, now: now)
    }

    private static func status(_ db: SQLiteConnection, team: TeamRecord, periodStart: Date, now: Date) throws(StoreError) -> BudgetStatus {
        let teamID = team.id
        let spent = try db.queryFirst("SELECT spent_nano FROM spend_periods WHERE team_id = ? AND period_start = ?",
                                      [.integer(teamID), SQLiteValue(periodStart)]) { $0.int64(0) } ?? 0
        let reserved = try db.queryFirst("SELECT coalesce(sum(amount_nano), 0) FROM reservations WHERE team_id = ? AND expires_at > ?",
                                         [.integer(teamID), SQLiteValue(now)]) { $0.int64(0) } ?? 0
        return BudgetStatus(team: team, spentNano: spent, reservedNano: reserved)
    }
}
