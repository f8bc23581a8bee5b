import TriageStore

extension Store {
    /// The ledger rows of one request, oldest first, as (outcome, team id, cost in nano-USD).
    func ledgerRows(request: String) throws -> [(outcome: String, team: Int64?, cost: Int64)] {
        try read { db in
            try db.query("SELECT outcome, team_id, cost_nano FROM ledger WHERE request_id = ? ORDER BY id", [.text(request)]) {
                ($0.text(0), $0.int64OrNil(1), $0.int64(2))
            }
        }
    }
}
