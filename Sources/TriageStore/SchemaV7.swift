/// Schema version 7: the judge classifier's decision cache and per-team routing policy.
///
/// `judge_decisions` keeps one judge rating per key (a hash of the rubric version, the judge model
/// and the normalised query), so a query the judge has rated is not sent to it again, by any worker.
/// `team_routing` holds a team's routing policy: the dial its requests get by default and the range
/// a request's `x-triage-dial` may move in, and the highest tier its requests may use.
enum SchemaV7 {
    static let sql = """
        CREATE TABLE judge_decisions(
            key TEXT PRIMARY KEY,
            score REAL NOT NULL,
            model TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE team_routing(
            team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
            dial REAL,
            dial_min REAL,
            dial_max REAL,
            max_tier TEXT
        );
        """
}
