import Foundation

extension Store {
    /// Writes a misroute record.
    public func logMisroute(_ m: MisrouteRecord) throws(StoreError) {
        try locked(writing: "logMisroute") { db throws(StoreError) in
            _ = try db.run("""
                INSERT INTO misroutes(request_id, created_at, team_id, query_hash, query_text, features, first_tier, final_tier, reason, score)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(m.requestID), SQLiteValue(m.createdAt), SQLiteValue(m.teamID), .text(m.queryHash), SQLiteValue(m.queryText),
                      SQLiteValue(m.features), .text(m.firstTier), SQLiteValue(m.finalTier), .text(m.reason), SQLiteValue(m.score)])
        }
    }

    /// Misroute records, newest first.
    public func misroutes(limit: Int = 1000, since: Date? = nil) throws(StoreError) -> [MisrouteRecord] {
        try locked("misroutes") { db throws(StoreError) in
            try db.query("""
                SELECT request_id, created_at, team_id, query_hash, query_text, features, first_tier, final_tier, reason, score
                FROM misroutes WHERE created_at >= ? ORDER BY id DESC LIMIT ?
                """, [SQLiteValue(since ?? Date(timeIntervalSince1970: 0)), SQLiteValue(limit)]) { r in
                MisrouteRecord(requestID: r.text(0), createdAt: r.date(1), teamID: r.int64OrNil(2), queryHash: r.text(3), queryText: r.textOrNil(4),
                               features: r.textOrNil(5), firstTier: r.text(6), finalTier: r.textOrNil(7), reason: r.text(8), score: r.doubleOrNil(9))
            }
        }
    }

    /// Stores a caller's verdict.
    public func addFeedback(_ f: FeedbackRecord) throws(StoreError) {
        try locked(writing: "addFeedback") { db throws(StoreError) in
            _ = try db.run("INSERT INTO feedback(request_id, team_id, key_id, created_at, verdict, comment) VALUES (?, ?, ?, ?, ?, ?)",
                           [.text(f.requestID), SQLiteValue(f.teamID), SQLiteValue(f.keyID), SQLiteValue(f.createdAt), .text(f.verdict), SQLiteValue(f.comment)])
        }
    }

    /// Verdicts on one request.
    public func feedback(requestID: String) throws(StoreError) -> [FeedbackRecord] {
        try locked("feedback") { db throws(StoreError) in
            try db.query("SELECT request_id, team_id, key_id, created_at, verdict, comment FROM feedback WHERE request_id = ? ORDER BY id",
                         [.text(requestID)]) { r in
                FeedbackRecord(requestID: r.text(0), teamID: r.int64OrNil(1), keyID: r.int64OrNil(2), createdAt: r.date(3),
                               verdict: r.text(4), comment: r.textOrNil(5))
            }
        }
    }
}
