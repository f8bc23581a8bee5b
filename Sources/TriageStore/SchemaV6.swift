/// Schema version 6: shadow comparisons across tiers.
///
/// `shadow_comparisons` holds one row per sampled request answered below the top tier: the tier
/// and model that answered, the top tier it was compared with, the query's hash (its text only when
/// the privacy setting allows), the judge's verdict (`as_good`, `worse`, `better`, `unknown`; NULL
/// while the comparison runs) and what the comparison cost. The rows are also the shadow budget's
/// account: a pending row counts its worst-case estimate (`reserved_nano`), a finished one its real
/// cost (`cost_nano`), so workers reserve and check the daily shadow budget in one transaction.
enum SchemaV6 {
    static let sql = """
        CREATE TABLE shadow_comparisons(
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            team_id INTEGER,
            tier TEXT NOT NULL,
            model TEXT NOT NULL,
            top_tier TEXT NOT NULL,
            top_model TEXT NOT NULL,
            query_hash TEXT NOT NULL,
            query_text TEXT,
            score REAL,
            verdict TEXT,
            detail TEXT,
            reserved_nano INTEGER NOT NULL,
            cost_nano INTEGER NOT NULL DEFAULT 0,
            finished_at REAL
        );
        CREATE INDEX shadow_comparisons_created_at ON shadow_comparisons(created_at);
        CREATE INDEX shadow_comparisons_request ON shadow_comparisons(request_id);
        """
}
