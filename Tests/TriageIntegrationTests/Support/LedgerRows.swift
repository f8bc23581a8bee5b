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

    /// ``ledgerTotalNano(teamID:)`` once it reaches at least `nano`.
    func ledgerTotalNano(teamID: Int64? = nil, reaching nano: Int64, timeout: Duration = .seconds(5)) async throws -> Int64 {
        _ = await eventually(timeout: timeout) { ((try? self.ledgerTotalNano(teamID: teamID)) ?? 0) >= nano }
        return try ledgerTotalNano(teamID: teamID)
    }
}
