/// Schema version 14: a team may have a token rate limit (`tpm_limit`, prompt and answer tokens
/// per minute; NULL for none), enforced by the coordinator beside the request rate limit.
enum SchemaV14 {
    static let sql = """
        ALTER TABLE teams ADD COLUMN tpm_limit INTEGER;
        """
}
