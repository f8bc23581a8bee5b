import Foundation

/// The request log, in a file of its own (see ``StoreSchema``): a main-file `Store` runs these on its
/// request log connection.
extension Store {
    static let requestColumns = """
        id, created_at, team_id, worker_id, tier, model, provider, reason, stream, attempts, \
        attempt_log, status, error_type, latency_ms, upstream_ms, prompt_tokens, completion_tokens, \
        usage_estimated, cost_nano
        """
    /// ``requestColumns`` and the prompt-cache counts (request log schema 2; a main file's old
    /// `requests` table, moved by ``moveRequestLog``, has only the others).
    static let requestLogColumns = """
        id, created_at, team_id, worker_id, tier, model, provider, reason, stream, attempts, \
        attempt_log, status, error_type, latency_ms, upstream_ms, prompt_tokens, completion_tokens, \
        usage_estimated, cost_nano, cached_tokens, cache_write_tokens
        """

    /// Writes a request log entry, replacing any entry with the same id.
    /// - Parameter e: The entry.
    public func logRequest(_ e: RequestLogEntry) throws(StoreError) {
        try requestLog().locked(writing: "logRequest") { db throws(StoreError) in try Self.insertRequest(db, e) }
    }

    /// Writes a request log entry inside a transaction the caller holds.
    static func insertRequest(_ db: SQLiteConnection, _ e: RequestLogEntry) throws(StoreError) {
        _ = try db.run("""
            INSERT OR REPLACE INTO requests(\(Self.requestLogColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                .text(e.id), SQLiteValue(e.createdAt), SQLiteValue(e.teamID), SQLiteValue(e.workerID),
                SQLiteValue(e.tier), SQLiteValue(e.model), SQLiteValue(e.provider), SQLiteValue(e.reason),
                SQLiteValue(e.stream), SQLiteValue(e.attempts), SQLiteValue(e.attemptLog),
                SQLiteValue(e.status), SQLiteValue(e.errorType), SQLiteValue(e.latencyMs),
                SQLiteValue(e.upstreamMs), SQLiteValue(e.promptTokens), SQLiteValue(e.completionTokens),
                SQLiteValue(e.usageEstimated), .integer(e.costNano), SQLiteValue(e.cachedTokens), SQLiteValue(e.cacheWriteTokens),
            ])
    }

    /// The entry for one request.
    /// - Parameter id: The request id.
    /// - Returns: The entry, or `nil` when none was logged.
    public func request(id: String) throws(StoreError) -> RequestLogEntry? {
        try requestLog().locked("request") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.requestLogColumns) FROM requests WHERE id = ?", [.text(id)],
                              Self.decodeRequest)
        }
    }

    /// The most recent entries, newest first.
    /// - Parameters:
    ///   - limit: The maximum number of entries.
    ///   - teamID: Only this team's entries, when given.
    public func recentRequests(limit: Int, teamID: Int64? = nil) throws(StoreError) -> [RequestLogEntry] {
        try requestLog().locked("recentRequests") { db throws(StoreError) in
            if let teamID {
                return try db.query("""
                    SELECT \(Self.requestLogColumns) FROM requests WHERE team_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
                    """, [.integer(teamID), SQLiteValue(max(limit, 0))], Self.decodeRequest)
            }
            return try db.query("""
                SELECT \(Self.requestLogColumns) FROM requests ORDER BY created_at DESC, id DESC LIMIT ?
                """, [SQLiteValue(max(limit, 0))], Self.decodeRequest)
        }
    }

    /// The number of logged requests.
    public func requestCount() throws(StoreError) -> Int {
        try requestLog().locked("requestCount") { db throws(StoreError) in
            try db.queryFirst("SELECT count(*) FROM requests") { $0.int(0) } ?? 0
        }
    }

    private static func decodeRequest(_ row: SQLiteRow) -> RequestLogEntry {
        RequestLogEntry(
            id: row.text(0), createdAt: row.date(1), teamID: row.int64OrNil(2), workerID: row.textOrNil(3),
            tier: row.textOrNil(4), model: row.textOrNil(5), provider: row.textOrNil(6),
            reason: row.textOrNil(7), stream: row.bool(8), attempts: row.int(9), attemptLog: row.textOrNil(10),
            status: row.int(11), errorType: row.textOrNil(12), latencyMs: row.doubleOrNil(13),
            upstreamMs: row.doubleOrNil(14), promptTokens: row.intOrNil(15),
            completionTokens: row.intOrNil(16), usageEstimated: row.bool(17), costNano: row.int64(18),
            cachedTokens: row.int(19), cacheWriteTokens: row.int(20))
    }
}
