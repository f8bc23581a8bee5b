/// The request log file's schema version 2: each request keeps the prompt tokens its provider read
/// from its prompt cache and wrote to it (both part of `prompt_tokens`), for reports that price
/// the all-on-the-top-tier alternative with the same cache discounts.
enum RequestLogSchemaV2 {
    static let sql = """
        ALTER TABLE requests ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE requests ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        """
}
