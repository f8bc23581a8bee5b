/// Schema version 15: the audit trail of administrative changes (`admin_audit`): who changed a
/// team, key, routing policy or classifier, when, and what changed. Each row is written in the
/// transaction of the change it describes, and rows are never deleted.
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
        """
}
