/// Schema version 13: a team may have a request rate limit (`rpm_limit`, requests per minute; NULL
/// for none), enforced by the coordinator before a request reaches a worker, and an API key an
/// expiry (`expires_at`, Unix seconds; NULL for none), after which it is refused.
enum SchemaV13 {
    static let sql = """
        ALTER TABLE teams ADD COLUMN rpm_limit INTEGER;
        ALTER TABLE api_keys ADD COLUMN expires_at REAL;
        """
}
