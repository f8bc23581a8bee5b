/// Schema version 19: budgets of single keys. A key may have a budget of its own, for its team's
/// period, inside the team's; a key made by rotating another shares that key's budget and spend
/// (`budget_key_id` names the key whose budget applies). Reservations of requests under a key's
/// budget name the key, and `key_spend_periods` holds what such keys spent per period.
enum SchemaV19 {
    static let sql = """
        ALTER TABLE api_keys ADD COLUMN budget_nano INTEGER;
        ALTER TABLE api_keys ADD COLUMN budget_key_id INTEGER;
        ALTER TABLE reservations ADD COLUMN key_id INTEGER;
        CREATE INDEX reservations_key ON reservations(key_id) WHERE key_id IS NOT NULL;
        CREATE TABLE key_spend_periods(
            key_id INTEGER NOT NULL,
            period_start REAL NOT NULL,
            spent_nano INTEGER NOT NULL,
            PRIMARY KEY (key_id, period_start)
        );
        """
}
