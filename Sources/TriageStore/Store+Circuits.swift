import Foundation

extension Store {
    /// Every stored circuit state, by key (`provider/model`), as JSON text.
    public func circuitStates() throws(StoreError) -> [String: String] {
        try locked("circuitStates") { db throws(StoreError) in
            var out: [String: String] = [:]
            for (k, v) in try db.query("SELECT key, state FROM circuits", [], { ($0.text(0), $0.text(1)) }) { out[k] = v }
            return out
        }
    }

    /// Reads, changes and writes one circuit's state in one `BEGIN IMMEDIATE` transaction, so
    /// workers racing on the same breaker see each other's changes.
    /// - Parameter body: gets the stored JSON (nil when none) and returns the new JSON, or nil to leave it.
    /// - Returns: the JSON now stored (nil when none).
    @discardableResult
    public func updateCircuit(key: String, now: Date = Date(), _ body: (String?) -> String?) throws(StoreError) -> String? {
        try locked(writing: "updateCircuit") { db throws(StoreError) in
            let current = try db.queryFirst("SELECT state FROM circuits WHERE key = ?", [.text(key)]) { $0.text(0) }
            guard let next = body(current) else { return current }
            _ = try db.run("""
                INSERT INTO circuits(key, state, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """, [.text(key), .text(next), SQLiteValue(now)])
            return next
        }
    }
}
