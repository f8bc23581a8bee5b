import Foundation

/// What an attempt's settlement takes off the reservations.
public enum ReservationHold: Sendable, Equatable {
    /// Nothing was reserved (a team without a budget, or no team).
    case none
    /// A reservation of the attempt's own: deleted.
    case row(Int64)
    /// Drawn from a worker's lease (the row `rowID`, made under `key`): the settlement leaves the
    /// row alone; the worker takes what settled attempts drew off it at the lease's next top-up or return.
    case lease(rowID: Int64, key: String, amountNano: Int64)
}

/// An amount to take off a lease's row: what settled attempts drew, or what a worker gives back.
public struct LeaseReturn: Sendable, Equatable {
    public var rowID: Int64
    /// The row's `request_id`: rows are matched by id and key, so a reused id is never touched.
    public var key: String
    public var amountNano: Int64

    public init(rowID: Int64, key: String, amountNano: Int64) {
        self.rowID = rowID
        self.key = key
        self.amountNano = amountNano
    }
}

/// The outcome of a lease top-up.
public enum LeaseTopUp: Sendable, Equatable {
    /// The lease row `rowID` grew by `grantedNano`; `inserted` when the row is new.
    case granted(rowID: Int64, grantedNano: Int64, inserted: Bool, status: BudgetStatus)
    /// The team has no budget: nothing reserved.
    case unlimited(status: BudgetStatus)
    /// Spent + reserved + the attempt's need would exceed the budget.
    case refused(status: BudgetStatus)
}

extension Store {
    /// Tops up a worker's lease on a team's budget (see `LeaseBook` in TriageCore), in the write
    /// transaction the caller holds: first takes `returns` (what settled attempts drew, what the
    /// worker gives back) off their rows, then reserves what `grant` says for the attempt's
    /// `needNano` and the team's headroom, or refuses when it says nil. The lease is the team's row
    /// with `request_id = key`; a missing or lapsed one is made anew. Every top-up renews the row's
    /// expiry to `now + ttl`.
    static func topUpLease(_ db: SQLiteConnection, teamID: Int64, key: String, needNano: Int64, returns: [LeaseReturn], periodStart: Date,
                           now: Date, ttl: TimeInterval, ownerPID: Int32, ownerHost: String,
                           grant: (_ need: Int64, _ headroom: Int64) -> Int64?) throws(StoreError) -> LeaseTopUp {
        // A lapsed row of this lease no longer counts; drop it so the lease starts afresh.
        _ = try db.run("DELETE FROM reservations WHERE team_id = ? AND request_id = ? AND expires_at <= ?",
                       [.integer(teamID), .text(key), SQLiteValue(now)])
        for r in returns { try takeOffLease(db, r) }
        let status = try Self.status(db, teamID: teamID, periodStart: periodStart, now: now)
        guard let budget = status.team.budgetNano else { return .unlimited(status: status) }
        guard let granted = grant(needNano, budget - status.spentNano - status.reservedNano) else { return .refused(status: status) }
        let expires = SQLiteValue(now.addingTimeInterval(ttl))
        if let rowID = try db.queryFirst("SELECT id FROM reservations WHERE team_id = ? AND request_id = ?",
                                         [.integer(teamID), .text(key)], { $0.int64(0) }) {
            _ = try db.run("UPDATE reservations SET amount_nano = amount_nano + ?, expires_at = ? WHERE id = ?",
                           [.integer(granted), expires, .integer(rowID)])
            return .granted(rowID: rowID, grantedNano: granted, inserted: false, status: status)
        }
        _ = try db.run("""
            INSERT INTO reservations(team_id, request_id, amount_nano, owner_pid, owner_host, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.integer(teamID), .text(key), .integer(granted), .integer(Int64(ownerPID)), .text(ownerHost), SQLiteValue(now), expires])
        return .granted(rowID: db.lastInsertRowID, grantedNano: granted, inserted: true, status: status)
    }

    /// Tops up a worker's lease on a team's budget in a transaction of its own (see
    /// ``topUpLease(_:teamID:key:needNano:returns:periodStart:now:ttl:ownerPID:ownerHost:grant:)``).
    public func topUpLease(teamID: Int64, key: String, needNano: Int64, returns: [LeaseReturn] = [], periodStart: Date, now: Date,
                           ttl: TimeInterval, ownerPID: Int32, ownerHost: String,
                           grant: (_ need: Int64, _ headroom: Int64) -> Int64?) throws(StoreError) -> LeaseTopUp {
        try locked(writing: "topUpLease") { db throws(StoreError) in
            try Self.topUpLease(db, teamID: teamID, key: key, needNano: needNano, returns: returns, periodStart: periodStart, now: now,
                                ttl: ttl, ownerPID: ownerPID, ownerHost: ownerHost, grant: grant)
        }
    }

    /// Takes an amount off a lease row, and drops the row once nothing is left on it.
    static func takeOffLease(_ db: SQLiteConnection, _ r: LeaseReturn) throws(StoreError) {
        _ = try db.run("UPDATE reservations SET amount_nano = max(amount_nano - ?, 0) WHERE id = ? AND request_id = ?",
                       [.integer(r.amountNano), .integer(r.rowID), .text(r.key)])
        _ = try db.run("DELETE FROM reservations WHERE id = ? AND request_id = ? AND amount_nano <= 0", [.integer(r.rowID), .text(r.key)])
    }

    /// What an attempt's settlement or release does to its reservation, in the caller's transaction.
    static func drop(_ db: SQLiteConnection, _ hold: ReservationHold) throws(StoreError) {
        switch hold {
        case .none: break
        case .row(let id): _ = try db.run("DELETE FROM reservations WHERE id = ?", [.integer(id)])
        case .lease: break  // the worker takes it off the lease later (see ReservationHold.lease)
        }
    }

    /// Takes amounts off lease rows: what a worker held and did not draw, what settled attempts drew.
    public func returnLeases(_ returns: [LeaseReturn]) throws(StoreError) {
        try locked(writing: "returnLeases") { db throws(StoreError) in
            for r in returns { try Self.takeOffLease(db, r) }
        }
    }
}

extension StoreWriter {
    /// ``Store/topUpLease(_:teamID:key:needNano:returns:periodStart:now:ttl:ownerPID:ownerHost:grant:)`` on the writer.
    public func topUpLease(teamID: Int64, key: String, needNano: Int64, returns: [LeaseReturn], periodStart: Date, now: Date, ttl: TimeInterval,
                           ownerPID: Int32, ownerHost: String, inline: Bool = false,
                           grant: @escaping @Sendable (_ need: Int64, _ headroom: Int64) -> Int64?) async throws(StoreError) -> LeaseTopUp {
        try await write("topUpLease", inline: inline) { db throws(StoreError) in
            try Store.topUpLease(db, teamID: teamID, key: key, needNano: needNano, returns: returns, periodStart: periodStart, now: now, ttl: ttl,
                                 ownerPID: ownerPID, ownerHost: ownerHost, grant: grant)
        }
    }

    /// ``Store/returnLeases(_:)`` on the writer.
    public func returnLeases(_ returns: [LeaseReturn]) async throws(StoreError) {
        try await write("returnLeases") { db throws(StoreError) in
            for r in returns { try Store.takeOffLease(db, r) }
        }
    }

    /// ``Store/settle(_:_:periodStart:)`` on the writer.
    public func settle(_ hold: ReservationHold, _ entry: LedgerEntry, periodStart: Date, inline: Bool = false) async throws(StoreError) {
        try await write("settle", inline: inline) { db throws(StoreError) in
            try Store.settle(db, hold, entry, periodStart: periodStart)
        }
    }

    /// ``Store/settle(_:_:periodStart:)`` with the writer's next transaction, or within its
    /// `laterDelay` (see ``writeLater(_:_:done:)``), for a settlement kept safe meanwhile by a
    /// ``SettlementJournal``.
    public func settleLater(_ hold: ReservationHold, _ entry: LedgerEntry, periodStart: Date, done: @escaping @Sendable (StoreError?) -> Void) {
        writeLater("settle", { db throws(StoreError) in try Store.settle(db, hold, entry, periodStart: periodStart) }, done: done)
    }

    /// Drops an attempt's reservation without charging anything (a call that was not billed).
    public func release(_ hold: ReservationHold) async throws(StoreError) {
        try await write("release") { db throws(StoreError) in
            try Store.drop(db, hold)
        }
    }
}
