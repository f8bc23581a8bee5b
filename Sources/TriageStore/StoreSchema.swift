/// Which of the store's two database files a ``Store`` opens, and so which migrations it applies.
///
/// The request log has a file of its own beside the main one (see ``Store/requestLogPath(forStore:)``):
/// SQLite locks each file separately, so the log's batched inserts never hold the write lock that
/// budget reservations and settlements take, and a request's budget write never waits for them.
public enum StoreSchema: Sendable, Equatable {
    /// Teams, keys, budgets, the ledger, routing state and everything else every process shares.
    case main
    /// The request log (`requests`): one row per answered request.
    case requestLog

    var migrations: [Migration] {
        switch self {
        case .main: Migrations.all
        case .requestLog: Migrations.requestLog
        }
    }
}
