/// Schema version 17: a team may have a limit on requests in flight at once (`max_concurrent`;
/// NULL for none), enforced by the coordinator beside its rate limits.
enum SchemaV17 {
    static let sql = """
        ALTER TABLE teams ADD COLUMN max_concurrent INTEGER;
        """
}
