/// The request log file's schema version 1: the `requests` table as the main file held it up to
/// its schema version 11 (same columns and indexes, so rows move over unchanged).
///
/// `requests.id` is the request id and `requests.team_id` the team's id in the main file; no
/// foreign key reaches across the two files.
enum RequestLogSchemaV1 {
    static let sql = """
        CREATE TABLE requests(
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            team_id INTEGER,
            worker_id TEXT,
            tier TEXT,
            model TEXT,
            provider TEXT,
            reason TEXT,
            stream INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            attempt_log TEXT,
            status INTEGER NOT NULL,
            error_type TEXT,
            latency_ms REAL,
            upstream_ms REAL,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            usage_estimated INTEGER NOT NULL DEFAULT 0,
            cost_nano INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX requests_created_at ON requests(created_at);
        CREATE INDEX requests_team_id_created_at ON requests(team_id, created_at);
        """
}
