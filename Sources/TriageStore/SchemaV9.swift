/// Schema version 9: the worker process that runs each shadow comparison (`owner_pid`,
/// `owner_host`), so the comparisons of a worker that died are closed (verdict `unknown`) and stop
/// counting against the day's shadow budget, as its budget reservations are reclaimed.
/// Comparisons stored before have no owner.
enum SchemaV9 {
    static let sql = """
        ALTER TABLE shadow_comparisons ADD COLUMN owner_pid INTEGER;
        ALTER TABLE shadow_comparisons ADD COLUMN owner_host TEXT;
        CREATE INDEX shadow_comparisons_running ON shadow_comparisons(owner_host, owner_pid) WHERE verdict IS NULL;
        """
}
