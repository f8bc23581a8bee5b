/// Schema version 18: configuration reloads. `triage reload` (or SIGHUP to the coordinator) adds a
/// row; the coordinator applies the config file again, restarts its workers one at a time so they
/// read it too, and writes the outcome back into the row.
enum SchemaV18 {
    static let sql = """
        CREATE TABLE config_reloads(
            generation INTEGER PRIMARY KEY AUTOINCREMENT,
            requested_at REAL NOT NULL,
            requested_by TEXT NOT NULL,
            started_at REAL,
            finished_at REAL,
            outcome TEXT,
            detail TEXT
        );
        """
}
