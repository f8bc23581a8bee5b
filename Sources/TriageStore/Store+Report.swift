import Foundation

/// Traffic of one team on one tier, from the request log.
public struct TierTraffic: Sendable, Equatable {
    public var team: String
    public var tier: String
    public var requests: Int
    public var errors: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var costNano: Int64
    /// Prompt tokens read from and written to providers' prompt caches (part of `promptTokens`).
    public var cachedTokens = 0
    public var cacheWriteTokens = 0
}

extension Store {
    /// Requests per team and answering tier since a date (optionally of one team).
    ///
    /// The counts come from the request log's file and the team names from the main one (SQLite
    /// joins no tables across the two here): a request whose team is unknown there counts as
    /// `(no team)`.
    public func tierTraffic(since: Date, team: String? = nil) throws(StoreError) -> [TierTraffic] {
        let names = try teamNames()
        var sql = """
            SELECT team_id, coalesce(tier, '-'), count(*), sum(status >= 400),
                   coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), sum(cost_nano),
                   coalesce(sum(cached_tokens), 0), coalesce(sum(cache_write_tokens), 0)
            FROM requests WHERE created_at >= ?
            """
        var values: [SQLiteValue] = [SQLiteValue(since)]
        if let team {
            guard let id = names.first(where: { $0.value == team })?.key else { return [] }  // names are unique
            sql += " AND team_id = ?"
            values.append(.integer(id))
        }
        sql += " GROUP BY 1, 2"
        let rows = try requestLog().locked("tierTraffic") { db throws(StoreError) in
            try db.query(sql, values) { r in
                TierTraffic(team: r.int64OrNil(0).flatMap { names[$0] } ?? "(no team)", tier: r.text(1), requests: r.int(2),
                            errors: r.int(3), promptTokens: r.int(4), completionTokens: r.int(5), costNano: r.int64(6),
                            cachedTokens: r.int(7), cacheWriteTokens: r.int(8))
            }
        }
        // Requests of teams no longer known share one "(no team)" row per tier.
        var merged: [String: TierTraffic] = [:]
        for row in rows {
            let key = row.team + "\u{0}" + row.tier
            if var seen = merged[key] {
                seen.requests += row.requests
                seen.errors += row.errors
                seen.promptTokens += row.promptTokens
                seen.completionTokens += row.completionTokens
                seen.costNano += row.costNano
                seen.cachedTokens += row.cachedTokens
                seen.cacheWriteTokens += row.cacheWriteTokens
                merged[key] = seen
            } else {
                merged[key] = row
            }
        }
        return merged.values.sorted { ($0.team, $0.tier) < ($1.team, $1.tier) }
    }

    /// Misroutes per reason kind (the part before the first ':') since a date.
    public func misrouteReasons(since: Date, team: String? = nil) throws(StoreError) -> [(reason: String, count: Int)] {
        var sql = """
            SELECT CASE WHEN instr(m.reason, ':') > 0 THEN substr(m.reason, 1, instr(m.reason, ':') - 1) ELSE m.reason END, count(*)
            FROM misroutes m LEFT JOIN teams t ON t.id = m.team_id WHERE m.created_at >= ?
            """
        var values: [SQLiteValue] = [SQLiteValue(since)]
        if let team {
            sql += " AND t.name = ?"
            values.append(.text(team))
        }
        sql += " GROUP BY 1 ORDER BY 2 DESC"
        return try locked("misrouteReasons") { db throws(StoreError) in
            try db.query(sql, values) { ($0.text(0), $0.int(1)) }
        }
    }
}
