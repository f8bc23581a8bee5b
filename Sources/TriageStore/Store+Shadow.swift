import Foundation

extension Store {
    /// Starts a shadow comparison if the shadow budget allows it: in one write transaction, the
    /// day's shadow spend (finished rows' cost, running rows' reservations, since `dayStart`) plus
    /// `pending.reservedNano` must not exceed `limitNano`.
    /// - Returns: the new row's id, or nil when the budget is exhausted.
    public func startShadow(_ pending: ShadowRecord, dayStart: Date, limitNano: Int64) throws(StoreError) -> Int64? {
        try locked(writing: "startShadow") { db throws(StoreError) in
            let spent = try Self.shadowSpend(db, since: dayStart)
            guard spent + pending.reservedNano <= limitNano else { return nil }
            _ = try db.run("""
                INSERT INTO shadow_comparisons(request_id, created_at, team_id, tier, model, top_tier, top_model, query_hash, query_text,
                                               score, reserved_nano, owner_pid, owner_host)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(pending.requestID), SQLiteValue(pending.createdAt), SQLiteValue(pending.teamID), .text(pending.tier),
                      .text(pending.model), .text(pending.topTier), .text(pending.topModel), .text(pending.queryHash),
                      SQLiteValue(pending.queryText), SQLiteValue(pending.score), .integer(pending.reservedNano),
                      SQLiteValue(pending.ownerPID.map(Int64.init)), SQLiteValue(pending.ownerHost)])
            return db.lastInsertRowID
        }
    }

    /// Finishes a shadow comparison: its verdict and cost, the running verdict totals, and the
    /// ledger rows of its calls, in one transaction. The ledger rows carry no team (`team_id` NULL,
    /// outcome `shadow` or `shadow_judge`), so no team's spend includes them.
    public func finishShadow(id: Int64, verdict: String, detail: String?, costNano: Int64, at: Date,
                             ledger: [LedgerEntry]) throws(StoreError) {
        try locked(writing: "finishShadow") { db throws(StoreError) in
            _ = try Self.closeShadow(db, id: id, verdict: verdict, detail: detail, costNano: costNano, at: at)
            for e in ledger {
                _ = try db.run("""
                    INSERT INTO ledger(team_id, request_id, created_at, period_start, tier, model, prompt_tokens,
                                       completion_tokens, usage_estimated, cost_nano, outcome, cached_tokens, cache_write_tokens)
                    VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.text(e.requestID), SQLiteValue(e.createdAt), SQLiteValue(e.createdAt), SQLiteValue(e.tier), SQLiteValue(e.model),
                          SQLiteValue(e.promptTokens), SQLiteValue(e.completionTokens), SQLiteValue(e.usageEstimated),
                          .integer(e.costNano), .text(e.outcome), SQLiteValue(e.cachedTokens), SQLiteValue(e.cacheWriteTokens)])
            }
        }
    }

    /// Sets a running comparison's verdict, detail, cost and end, and counts the verdict in the
    /// running totals. - Returns: false when it had already ended.
    private static func closeShadow(_ db: SQLiteConnection, id: Int64, verdict: String, detail: String?, costNano: Int64, at: Date) throws(StoreError) -> Bool {
        let updated = try db.run("UPDATE shadow_comparisons SET verdict = ?, detail = ?, cost_nano = ?, finished_at = ? WHERE id = ? AND verdict IS NULL",
                                 [.text(verdict), SQLiteValue(detail), .integer(costNano), SQLiteValue(at), .integer(id)])
        guard updated > 0 else { return false }
        _ = try db.run("""
            INSERT INTO shadow_verdict_totals(tier, verdict, count) SELECT tier, ?, 1 FROM shadow_comparisons WHERE id = ?
            ON CONFLICT(tier, verdict) DO UPDATE SET count = count + 1
            """, [.text(verdict), .integer(id)])
        return true
    }

    /// Closes the running comparisons of processes on `host` that `isAlive` says are gone: verdict
    /// `unknown`, cost 0 (what the dead process spent is unknown; like its budget reservations, its
    /// reservation stops counting against the day's shadow budget).
    /// - Returns: how many were closed.
    @discardableResult
    public func reclaimShadowComparisons(now: Date, host: String, isAlive: (Int32) -> Bool) throws(StoreError) -> Int {
        try locked(writing: "reclaimShadowComparisons") { db throws(StoreError) in
            let owners = try db.query("SELECT DISTINCT owner_pid FROM shadow_comparisons WHERE verdict IS NULL AND owner_host = ? AND owner_pid IS NOT NULL",
                                      [.text(host)]) { Int32($0.int64(0)) }
            var n = 0
            for pid in owners where !isAlive(pid) {
                let ids = try db.query("SELECT id FROM shadow_comparisons WHERE verdict IS NULL AND owner_host = ? AND owner_pid = ?",
                                       [.text(host), .integer(Int64(pid))]) { $0.int64(0) }
                for id in ids where try Self.closeShadow(db, id: id, verdict: "unknown", detail: "its worker (pid \(pid)) died before it finished",
                                                         costNano: 0, at: now) {
                    n += 1
                }
            }
            return n
        }
    }

    /// Shadow spend since a date: finished comparisons' cost plus running ones' reservations.
    /// - Parameter team: only the comparisons of this team's requests (the spend is still the
    ///   cluster's shadow budget's, not the team's); nil for the whole cluster.
    public func shadowSpendNano(since: Date, team: String? = nil) throws(StoreError) -> Int64 {
        try locked("shadowSpend") { db throws(StoreError) in
            guard let team else { return try Self.shadowSpend(db, since: since) }
            return try db.queryFirst("""
                SELECT coalesce(sum(CASE WHEN s.finished_at IS NULL THEN s.reserved_nano ELSE s.cost_nano END), 0)
                FROM shadow_comparisons s JOIN teams t ON t.id = s.team_id WHERE s.created_at >= ? AND t.name = ?
                """, [SQLiteValue(since), .text(team)]) { $0.int64(0) } ?? 0
        }
    }

    /// Finished verdicts per answering tier (optionally since a date, of one team).
    public func shadowVerdictCounts(since: Date? = nil, team: String? = nil) throws(StoreError) -> [ShadowVerdictCount] {
        var sql = """
            SELECT s.tier, s.verdict, count(*) FROM shadow_comparisons s LEFT JOIN teams t ON t.id = s.team_id
            WHERE s.verdict IS NOT NULL AND s.created_at >= ?
            """
        var values: [SQLiteValue] = [SQLiteValue(since ?? Date(timeIntervalSince1970: 0))]
        if let team {
            sql += " AND t.name = ?"
            values.append(.text(team))
        }
        sql += " GROUP BY 1, 2 ORDER BY 1, 2"
        return try locked("shadowVerdictCounts") { db throws(StoreError) in
            try db.query(sql, values) { ShadowVerdictCount(tier: $0.text(0), verdict: $0.text(1), count: $0.int(2)) }
        }
    }

    /// Every finished verdict per answering tier since the store began (the running totals `/metrics` exposes).
    public func shadowVerdictTotals() throws(StoreError) -> [ShadowVerdictCount] {
        try locked("shadowVerdictTotals") { db throws(StoreError) in
            try db.query("SELECT tier, verdict, count FROM shadow_verdict_totals ORDER BY 1, 2", []) {
                ShadowVerdictCount(tier: $0.text(0), verdict: $0.text(1), count: $0.int(2))
            }
        }
    }

    /// Shadow comparisons, newest first.
    public func shadowComparisons(limit: Int = 10_000, since: Date? = nil) throws(StoreError) -> [ShadowRecord] {
        try locked("shadowComparisons") { db throws(StoreError) in
            try db.query("""
                SELECT id, request_id, created_at, team_id, tier, model, top_tier, top_model, query_hash, query_text, score, verdict, detail,
                       reserved_nano, cost_nano, finished_at, owner_pid, owner_host
                FROM shadow_comparisons WHERE created_at >= ? ORDER BY id DESC LIMIT ?
                """, [SQLiteValue(since ?? Date(timeIntervalSince1970: 0)), SQLiteValue(limit)]) { r in
                ShadowRecord(id: r.int64(0), requestID: r.text(1), createdAt: r.date(2), teamID: r.int64OrNil(3), tier: r.text(4),
                             model: r.text(5), topTier: r.text(6), topModel: r.text(7), queryHash: r.text(8), queryText: r.textOrNil(9),
                             score: r.doubleOrNil(10), verdict: r.textOrNil(11), detail: r.textOrNil(12), reservedNano: r.int64(13),
                             costNano: r.int64(14), finishedAt: r.dateOrNil(15), ownerPID: r.int64OrNil(16).map { Int32($0) },
                             ownerHost: r.textOrNil(17))
            }
        }
    }

    /// All feedback, oldest first (labels for retraining).
    public func allFeedback(since: Date? = nil) throws(StoreError) -> [FeedbackRecord] {
        try locked("allFeedback") { db throws(StoreError) in
            try db.query("SELECT request_id, team_id, key_id, created_at, verdict, comment FROM feedback WHERE created_at >= ? ORDER BY id",
                         [SQLiteValue(since ?? Date(timeIntervalSince1970: 0))]) { r in
                FeedbackRecord(requestID: r.text(0), teamID: r.int64OrNil(1), keyID: r.int64OrNil(2), createdAt: r.date(3),
                               verdict: r.text(4), comment: r.textOrNil(5))
            }
        }
    }

    private static func shadowSpend(_ db: SQLiteConnection, since: Date) throws(StoreError) -> Int64 {
        try db.queryFirst("""
            SELECT coalesce(sum(CASE WHEN finished_at IS NULL THEN reserved_nano ELSE cost_nano END), 0)
            FROM shadow_comparisons WHERE created_at >= ?
            """, [SQLiteValue(since)]) { $0.int64(0) } ?? 0
    }
}
