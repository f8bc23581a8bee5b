/// Schema version 16: a ledger row names the API key that made its request (`key_id`) and the end
/// user the request named in OpenAI's `user` field (`end_user`), so spend can be reported by key
/// and by user within a team. Older rows have neither.
enum SchemaV16 {
    static let sql = """
        ALTER TABLE ledger ADD COLUMN key_id INTEGER;
        ALTER TABLE ledger ADD COLUMN end_user TEXT;
        """
}
