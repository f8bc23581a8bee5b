/// Schema version 21: the ledger keeps the prompt tokens a provider read from its prompt cache
/// (`cached_tokens`) and wrote to it (`cache_write_tokens`), both part of `prompt_tokens`, so that
/// reports price what routing saved with the cache discounts the top tier would have had too.
enum SchemaV21 {
    static let sql = """
        ALTER TABLE ledger ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE ledger ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        """
}
