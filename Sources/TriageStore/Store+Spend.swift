import Foundation

extension Store {
    /// How a spend report groups ledger rows: by team only, or within each team by tier, model,
    /// day, API key (`prefix (name)`) or end user (the requests' `user` field).
    public enum SpendGrouping: String, Sendable, CaseIterable {
        case team, tier, model, day, key, user
    }

    /// Spend from the ledger, per team and group, since a date.
    public func spendReport(team: String? = nil, by grouping: SpendGrouping = .team, since: Date? = nil) throws(StoreError) -> [SpendRow] {
        let key = switch grouping {
        case .team: "''"
        case .tier: "coalesce(l.tier, '-')"
        case .model: "coalesce(l.model, '-')"
        case .day: "strftime('%Y-%m-%d', l.created_at, 'unixepoch')"
        case .key: "coalesce(k.prefix || coalesce(' (' || k.name || ')', ''), '-')"
        case .user: "coalesce(l.end_user, '-')"
        }
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let team {
            conditions.append("t.name = ?")
            values.append(.text(team))
        }
        if let since {
            conditions.append("l.created_at >= ?")
            values.append(SQLiteValue(since))
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT coalesce(t.name, '(no team)'), \(key), count(DISTINCT l.request_id), sum(l.prompt_tokens),
                   sum(l.completion_tokens), sum(l.cost_nano)
            FROM ledger l LEFT JOIN teams t ON t.id = l.team_id LEFT JOIN api_keys k ON k.id = l.key_id
            \(whereClause)
            GROUP BY 1, 2 ORDER BY 1, 2
            """
        return try locked("spendReport") { db throws(StoreError) in
            try db.query(sql, values) { r in
                SpendRow(team: r.text(0), key: r.text(1), requests: r.int(2), promptTokens: r.int(3),
                         completionTokens: r.int(4), costNano: r.int64(5))
            }
        }
    }
}
