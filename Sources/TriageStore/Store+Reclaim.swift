import Foundation

extension Store {
    /// What one reclaim pass took back.
    public struct Reclaimed: Sendable, Equatable {
        /// Reservations deleted: expired, or of processes that are gone.
        public var reservations: Int
        /// Settlements written to the ledger from the journals of workers that are gone.
        public var replayed: Int
    }

    /// A reclaim pass, in one write transaction: writes the settlements that workers which are
    /// gone journaled and never committed (`journals`: ``SettlementJournal/directory(forStore:)``;
    /// each exactly once), then deletes expired reservations and those of dead processes on `host`.
    ///
    /// Owners are judged dead before the journals are read: a process gone by then has let go of
    /// its journal, so its settlements are in before its reservations go (which they held against
    /// the budget meanwhile). One that dies during the pass keeps both until the next.
    public func reclaim(now: Date, host: String, isAlive: (Int32) -> Bool, journals: String? = nil) throws(StoreError) -> Reclaimed {
        var taken: [SettlementJournal.Abandoned] = []
        let result: Reclaimed
        do {
            result = try locked(writing: "reclaim") { db throws(StoreError) in
                let owners = try db.query("SELECT DISTINCT owner_pid FROM reservations WHERE owner_host = ?", [.text(host)]) { Int32($0.int64(0)) }
                let dead = owners.filter { !isAlive($0) }
                taken = journals.map { SettlementJournal.abandoned(in: $0) } ?? []
                var replayed = 0
                for record in taken.flatMap(\.records) where try !Self.isSettled(db, record.entry) {
                    try Self.settle(db, record.hold, record.entry, periodStart: record.periodStart)
                    replayed += 1
                }
                var n = try db.run("DELETE FROM reservations WHERE expires_at <= ?", [SQLiteValue(now)])
                for pid in dead {
                    n += try db.run("DELETE FROM reservations WHERE owner_host = ? AND owner_pid = ?", [.text(host), .integer(Int64(pid))])
                }
                return Reclaimed(reservations: n, replayed: replayed)
            }
        } catch {
            for segment in taken { segment.keep() }
            throw error
        }
        for segment in taken { segment.discard() }
        return result
    }

    /// How many settlements workers that are gone journaled and never committed: what the next
    /// reclaim pass will charge (`journals`: ``SettlementJournal/directory(forStore:)``).
    public func unchargedSettlements(journals: String) throws(StoreError) -> Int {
        let segments = SettlementJournal.abandoned(in: journals, shared: true)
        for segment in segments { segment.keep() }
        let records = segments.flatMap(\.records)
        guard !records.isEmpty else { return 0 }
        return try locked(reading: "unchargedSettlements") { db throws(StoreError) in
            var n = 0
            for record in records where try !Self.isSettled(db, record.entry) { n += 1 }
            return n
        }
    }

    /// Whether the ledger already holds `entry` (its owner committed it before it died).
    private static func isSettled(_ db: SQLiteConnection, _ entry: LedgerEntry) throws(StoreError) -> Bool {
        try db.queryFirst("""
            SELECT 1 FROM ledger WHERE request_id = ? AND created_at = ? AND cost_nano = ? AND outcome = ? LIMIT 1
            """, [.text(entry.requestID), SQLiteValue(entry.createdAt), .integer(entry.costNano), .text(entry.outcome)]) { _ in true } ?? false
    }
}
