/// Schema version 10: the candidate the coordinator's scheduled retrain last kept out, with the
/// inputs it was trained on, so that a restarted coordinator does not train the same candidate
/// again (it skips until a label is logged, a data file or the active version changes). One row at
/// most; deleted when a scheduled run installs.
enum SchemaV10 {
    static let sql = """
        CREATE TABLE retrain_kept_out(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            inputs TEXT NOT NULL,
            verdict TEXT NOT NULL,
            recorded_at REAL NOT NULL
        );
        """
}
