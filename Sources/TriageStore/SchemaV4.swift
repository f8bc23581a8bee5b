/// Schema version 4: the misroute log and callers' feedback, the labelled data the classifier
/// is retrained from.
///
/// - `misroutes`: one row per climb (an upstream failure or a low-quality answer): the query's
///   hash (its text only when the privacy setting allows), its features as JSON, the first and
///   final tier, why, and the classifier's score.
/// - `feedback`: a caller's verdict on one of its own requests.
enum SchemaV4 {
    static let sql = """
        CREATE TABLE misroutes(
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            team_id INTEGER,
            query_hash TEXT NOT NULL,
            query_text TEXT,
            features TEXT,
            first_tier TEXT NOT NULL,
            final_tier TEXT,
            reason TEXT NOT NULL,
            score REAL
        );
        CREATE INDEX misroutes_created_at ON misroutes(created_at);
        CREATE INDEX misroutes_request ON misroutes(request_id);

        CREATE TABLE feedback(
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            team_id INTEGER,
            key_id INTEGER,
            created_at REAL NOT NULL,
            verdict TEXT NOT NULL,
            comment TEXT
        );
        CREATE INDEX feedback_request ON feedback(request_id);
        """
}
