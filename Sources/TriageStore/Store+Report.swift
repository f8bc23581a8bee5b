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
}

extension Store {
    /// Requests per team and answering tier since a date (optionally of one team).
    public func tierTraffic(since: Date, team: String? = nil) throws(StoreError) -> [TierTraffic] {
        var sql = """
            SELECT coalesce(t.name, '(no team)'), coalesce(r.tier, '-'), count(*), sum(r.status >= 400),
                   coalesce(sum(r.prompt_tokens), 0), coalesce(sum(r.completion_tokens), 0), sum(r.cost_nano)
            FROM requests r LEFT JOIN teams t ON t.id = r.team_id
            WHERE r.created_at >= ?
            """
        var values: [SQLiteValue] = [SQLiteValue(since)]
        if let team {
            sql += " AND t.name = ?"
            values.append(.text(team))
        }
        sql += " GROUP BY 1, 2 ORDER BY 1, 2"
        return try locked("tierTraffic") { db throws(StoreError) in
            try db.query(sql, values) { r in
                TierTraffic(team: r.text(0), tier: r.text(1), requests: r.int(2), errors: r.int(3), promptTokens: r.int(4),
                            completionTokens: r.int(5), costNano: r.int64(6))
            }
        }
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
