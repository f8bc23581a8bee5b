/// Schema version 1: the worker registry and the request log.
///
/// Later tables (teams, api_keys, budgets, reservations, ledger, misroutes) join it by
/// `requests.id` (TEXT request id) and `requests.team_id` (INTEGER team id). `team_id` is a plain
/// column for now; a later migration adds the `teams` table it refers to. Money is INTEGER
/// nano-USD (1e-9 USD) so sums stay exact; times are REAL seconds since 1970 UTC.
enum SchemaV1 {
    static let sql = """
        CREATE TABLE workers(
            id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            socket_path TEXT NOT NULL,
            capacity INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('ready', 'draining', 'stopped')),
            started_at REAL NOT NULL,
            heartbeat_at REAL NOT NULL
        );
        CREATE INDEX workers_heartbeat_at ON workers(heartbeat_at);

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
