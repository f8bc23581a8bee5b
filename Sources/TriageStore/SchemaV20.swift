/// Schema version 20: ids of teams and keys are never reused. `teams.id` and `api_keys.id` are
/// plain rowids, which SQLite hands out again once the row with the largest is deleted; a team made
/// after the newest one was deleted took its id, and with it the deleted team's spend this period,
/// its ledger rows and its place in reports (a key likewise took a deleted key's spend).
/// `id_sequences` keeps the largest id each table ever gave out; creating a team or a key takes the
/// next one. Its first values are the largest ids anything in the store still names.
enum SchemaV20 {
    static let sql = """
        CREATE TABLE id_sequences(
            name TEXT PRIMARY KEY,
            last_id INTEGER NOT NULL
        );
        INSERT INTO id_sequences(name, last_id) SELECT 'teams', max(
            coalesce((SELECT max(id) FROM teams), 0),
            coalesce((SELECT max(team_id) FROM api_keys), 0),
            coalesce((SELECT max(team_id) FROM ledger), 0),
            coalesce((SELECT max(team_id) FROM spend_periods), 0),
            coalesce((SELECT max(team_id) FROM reservations), 0));
        INSERT INTO id_sequences(name, last_id) SELECT 'api_keys', max(
            coalesce((SELECT max(id) FROM api_keys), 0),
            coalesce((SELECT max(budget_key_id) FROM api_keys), 0),
            coalesce((SELECT max(replaced_by) FROM api_keys), 0),
            coalesce((SELECT max(key_id) FROM ledger), 0),
            coalesce((SELECT max(key_id) FROM key_spend_periods), 0),
            coalesce((SELECT max(key_id) FROM reservations), 0));
        """
}
