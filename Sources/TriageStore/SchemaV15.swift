/// Schema version 15: the audit trail of administrative changes (`admin_audit`): who changed a
/// team, key, routing policy or classifier, when, and what changed. Each row is written in the
/// transaction of the change it describes, and rows are never deleted. And a rotated key names the
/// key that replaced it (`api_keys.replaced_by`), so it is not rotated twice.
enum SchemaV15 {
    static let sql = """
        CREATE TABLE admin_audit (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX admin_audit_target_at ON admin_audit(target, at);
        ALTER TABLE api_keys ADD COLUMN replaced_by INTEGER;
        """
}
