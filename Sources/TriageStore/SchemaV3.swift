/// Schema version 3: circuit breakers shared by every worker of the host, one row per
/// `provider/model`, holding the breaker's state as JSON (``TriageCore/CircuitBreaker``).
enum SchemaV3 {
    static let sql = """
        CREATE TABLE circuits(
            key TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        """
}
