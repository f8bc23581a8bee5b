/// Schema version 2: teams, API keys, budget reservations and the spend ledger.
///
/// - `api_keys` keep only the SHA-256 of each key (plus an 8-hex-digit prefix to find the row).
/// - `reservations` hold the worst-case cost of attempts in flight; a row belongs to one process
///   (`owner_pid`, `owner_host`) and expires at `expires_at`, so a dead worker's rows are reclaimed.
/// - `ledger` rows are never deleted; `spend_periods` keeps the running sum per team and period
///   start, written in the same transaction as the ledger row.
enum SchemaV2 {
    static let sql = """
        CREATE TABLE teams(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            budget_nano INTEGER,
            period TEXT NOT NULL DEFAULT 'monthly' CHECK (period IN ('daily', 'weekly', 'monthly', 'total')),
            soft_limit REAL,
            created_at REAL NOT NULL
        );

        CREATE TABLE api_keys(
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            name TEXT,
            prefix TEXT NOT NULL UNIQUE,
            hash BLOB NOT NULL,
            created_at REAL NOT NULL,
            revoked_at REAL
        );

        CREATE TABLE reservations(
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            amount_nano INTEGER NOT NULL,
            owner_pid INTEGER NOT NULL,
            owner_host TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX reservations_team ON reservations(team_id, expires_at);

        CREATE TABLE ledger(
            id INTEGER PRIMARY KEY,
            team_id INTEGER,
            request_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            period_start REAL NOT NULL,
            tier TEXT,
            model TEXT,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            usage_estimated INTEGER NOT NULL DEFAULT 0,
            cost_nano INTEGER NOT NULL,
            outcome TEXT NOT NULL
        );
        CREATE INDEX ledger_team_time ON ledger(team_id, created_at);
        CREATE INDEX ledger_request ON ledger(request_id);

        CREATE TABLE spend_periods(
            team_id INTEGER NOT NULL,
            period_start REAL NOT NULL,
            spent_nano INTEGER NOT NULL,
            PRIMARY KEY (team_id, period_start)
        );
        """
}
