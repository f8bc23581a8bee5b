/// Schema version 11: closes the shadow comparisons left running before schema v9. Those rows have
/// no owner (`owner_pid`, `owner_host`), so no reclaim pass can tell that their worker is gone:
/// one whose worker was killed mid-comparison stayed running for ever, without a verdict, its
/// worst-case reservation counted as shadow spend by every report covering its day. They are
/// closed as a dead worker's are: verdict `unknown`, cost 0, counted in the verdict totals.
/// (Since v9 every comparison records its owner; a worker shut down cleanly closes its own.)
enum SchemaV11 {
    static let sql = """
        INSERT INTO shadow_verdict_totals(tier, verdict, count)
            SELECT tier, 'unknown', count(*) FROM shadow_comparisons
            WHERE verdict IS NULL AND owner_pid IS NULL GROUP BY tier
            ON CONFLICT(tier, verdict) DO UPDATE SET count = count + excluded.count;
        UPDATE shadow_comparisons
            SET verdict = 'unknown', detail = 'stored before schema v9 without its worker, and never finished', cost_nano = 0,
                finished_at = (julianday('now') - 2440587.5) * 86400.0
            WHERE verdict IS NULL AND owner_pid IS NULL;
        """
}
