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
                let uncharged = try Self.uncharged(db, taken.flatMap(\.records))
                for record in uncharged {
                    try Self.settle(db, record.hold, record.entry, periodStart: record.periodStart)
                }
                let replayed = uncharged.count
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
            try Self.uncharged(db, records).count
        }
    }

    /// What of `records` (the lines of abandoned journal segments) the ledger does not hold yet:
    /// settlements whose rows are missing, then, of each attempt whose worker died with it in
    /// progress, its last checkpoint (none when the attempt settled: its own row is in the ledger, or
    /// its settlement is among `records`; nor when it was withdrawn by a checkpoint of nothing).
    private static func uncharged(_ db: SQLiteConnection, _ records: [SettlementRecord]) throws(StoreError) -> [SettlementRecord] {
        var out: [SettlementRecord] = []
        // A call is a request's tier and model; an attempt, a call begun at a time (its checkpoints' time).
        struct Call: Hashable {
            var request: String, tier: String?, model: String?
            init(_ e: LedgerEntry) { (request, tier, model) = (e.requestID, e.tier, e.model) }
        }
        struct Attempt: Hashable { var call: Call, created: Date }
        // The latest journaled settlement of each call.
        var journaled: [Call: Date] = [:]
        for record in records where !record.checkpoint {
            let e = record.entry
            journaled[Call(e)] = max(journaled[Call(e)] ?? .distantPast, e.createdAt)
            if try !isSettled(db, e) { out.append(record) }
        }
        var last: [Attempt: SettlementRecord] = [:]
        var order: [Attempt] = []
        var withdrawn: Set<Attempt> = []
        for record in records where record.checkpoint {
            let e = record.entry
            let attempt = Attempt(call: Call(e), created: e.createdAt)
            // A checkpoint of nothing: the attempt ended with nothing to charge (SettlementRecord).
            if e.promptTokens == 0 && e.completionTokens == 0 {
                withdrawn.insert(attempt)
                continue
            }
            if let seen = last[attempt] {
                if e.completionTokens >= seen.entry.completionTokens { last[attempt] = record }
            } else {
                last[attempt] = record
                order.append(attempt)
            }
        }
        for attempt in order where !withdrawn.contains(attempt) {
            guard let record = last[attempt] else { continue }
            // Settled, its settlement journaled (at or after the checkpoint's first time, as
            // attemptSettled reads the ledger) and charged by this pass.
            if let settled = journaled[attempt.call], settled >= attempt.created { continue }
            if try !attemptSettled(db, record.entry) { out.append(record) }
        }
        return out
    }

    /// Whether the ledger holds a row of the attempt a checkpoint belongs to: one of its request,
    /// tier and model written at or after the checkpoint's first time (the attempt's own settlement,
    /// whatever it charged, or this checkpoint replayed by an earlier pass).
    private static func attemptSettled(_ db: SQLiteConnection, _ checkpoint: LedgerEntry) throws(StoreError) -> Bool {
        try db.queryFirst("""
            SELECT 1 FROM ledger WHERE request_id = ? AND tier IS ? AND model IS ? AND created_at >= ? LIMIT 1
            """, [.text(checkpoint.requestID), checkpoint.tier.map { .text($0) } ?? .null, checkpoint.model.map { .text($0) } ?? .null,
                  SQLiteValue(checkpoint.createdAt)]) { _ in true } ?? false
    }

    /// Whether the ledger already holds `entry` (its owner committed it before it died).
    private static func isSettled(_ db: SQLiteConnection, _ entry: LedgerEntry) throws(StoreError) -> Bool {
        try db.queryFirst("""
            SELECT 1 FROM ledger WHERE request_id = ? AND created_at = ? AND cost_nano = ? AND outcome = ? LIMIT 1
            """, [.text(entry.requestID), SQLiteValue(entry.createdAt), .integer(entry.costNano), .text(entry.outcome)]) { _ in true } ?? false
    }
}
