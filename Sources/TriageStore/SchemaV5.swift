/// Schema version 5: versions of the learned classifier. Exactly one row is active; workers
/// load it and pick up a newly activated version without a restart.
enum SchemaV5 {
    static let sql = """
        CREATE TABLE classifier_models(
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created_at REAL NOT NULL,
            model BLOB NOT NULL,
            active INTEGER NOT NULL DEFAULT 0
        );
        """
}
