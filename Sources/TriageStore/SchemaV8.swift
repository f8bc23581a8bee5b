/// Schema version 8: running totals of shadow verdicts per answering tier, kept in the same
/// transaction as each verdict, so `/metrics` reads a handful of rows instead of counting the
/// whole `shadow_comparisons` table at every scrape. Seeded from the verdicts already stored.
enum SchemaV8 {
    static let sql = """
        CREATE TABLE shadow_verdict_totals(
            tier TEXT NOT NULL,
            verdict TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (tier, verdict)
        );
        INSERT INTO shadow_verdict_totals(tier, verdict, count)
            SELECT tier, verdict, count(*) FROM shadow_comparisons WHERE verdict IS NOT NULL GROUP BY tier, verdict;
        """
}
