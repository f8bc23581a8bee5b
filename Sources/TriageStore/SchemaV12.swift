/// Schema version 12: the request log leaves the main file for a file of its own
/// (``StoreSchema/requestLog``). ``Store`` copies the rows of an older store's `requests` table into
/// that file before this migration drops the table (see `Store.moveRequestLog`).
enum SchemaV12 {
    static let sql = """
        DROP TABLE IF EXISTS requests;
        """
}
