import TriageStore

/// A whole answer's settlement commits just after the answer went out (with the worker's next
/// store write, within 10 ms; see `SettlementJournal`): what a client was charged reaches the
/// ledger moments later. These read the ledger once it caught up, or as it is after `timeout`.
extension Store {
    /// The ledger rows of one request, oldest first, as (outcome, team id, cost in nano-USD).
    func ledgerRows(request: String) throws -> [(outcome: String, team: Int64?, cost: Int64)] {
        try read { db in
            try db.query("SELECT outcome, team_id, cost_nano FROM ledger WHERE request_id = ? ORDER BY id", [.text(request)]) {
                ($0.text(0), $0.int64OrNil(1), $0.int64(2))
            }
        }
    }

    /// ``ledgerRows(request:)`` once they add up to at least `nano` (what the client was charged).
    func ledgerRows(request: String, summingTo nano: Int64, timeout: Duration = .seconds(5)) async throws
        -> [(outcome: String, team: Int64?, cost: Int64)] {
        _ = await eventually(timeout: timeout) { ((try? self.ledgerRows(request: request)) ?? []).map(\.cost).reduce(0, +) >= nano }
        return try ledgerRows(request: request)
    }

    /// What the ledger holds of each request, in nano-USD (of one team, or of all).
    func ledgerByRequest(teamID: Int64? = nil) throws -> [String: Int64] {
        let (filter, args): (String, [SQLiteValue]) = teamID.map { (" WHERE team_id = ?", [.integer($0)]) } ?? ("", [])
        let rows = try read { db in
            try db.query("SELECT request_id, sum(cost_nano) FROM ledger\(filter) GROUP BY request_id", args) { ($0.text(0), $0.int64(1)) }
        }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    /// ``ledgerByRequest(teamID:)`` once each request in `charges` (request id: what its client was
    /// charged) has rows summing to its charge. Waiting for the total is not enough where requests no
    /// client saw charged (cut, or lost with their worker) have rows too: they can bring the total
    /// there while an answered request's settlement is still on its way.
    func ledgerByRequest(teamID: Int64? = nil, matching charges: [String: Int64], timeout: Duration = .seconds(10)) async throws -> [String: Int64] {
        _ = await eventually(timeout: timeout, interval: .milliseconds(100)) {
            guard let ledger = try? self.ledgerByRequest(teamID: teamID) else { return false }
            return charges.allSatisfy { ledger[$0.key] == $0.value }
        }
        return try ledgerByRequest(teamID: teamID)
    }

    /// ``ledgerTotalNano(teamID:)`` once it reaches at least `nano`.
    func ledgerTotalNano(teamID: Int64? = nil, reaching nano: Int64, timeout: Duration = .seconds(5)) async throws -> Int64 {
        _ = await eventually(timeout: timeout) { ((try? self.ledgerTotalNano(teamID: teamID)) ?? 0) >= nano }
        return try ledgerTotalNano(teamID: teamID)
    }
}
