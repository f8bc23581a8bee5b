import Foundation

/// One request to apply the configuration file again, and how it went.
public struct ConfigReload: Sendable, Equatable {
    /// How a reload ended.
    public enum Outcome: String, Sendable {
        /// The coordinator applied the file and every worker restarted on it.
        case applied
        /// The file did not load (nothing changed), or a worker did not come back on it.
        case failed
    }

    /// Increases by one with every request.
    public var generation: Int64
    public var requestedAt: Date
    /// Who asked: `cli root@host`, `SIGHUP`.
    public var requestedBy: String
    /// When a coordinator took it up; nil while none has.
    public var startedAt: Date?
    public var finishedAt: Date?
    /// nil until it ended.
    public var outcome: Outcome?
    /// What was applied, what needs a restart, or why it failed; progress while it runs.
    public var detail: String?

    /// `pending` (no coordinator took it up yet), `running`, `applied` or `failed`.
    public var status: String { outcome?.rawValue ?? (startedAt == nil ? "pending" : "running") }

    public init(generation: Int64, requestedAt: Date, requestedBy: String, startedAt: Date? = nil, finishedAt: Date? = nil,
                outcome: Outcome? = nil, detail: String? = nil) {
        self.generation = generation
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.detail = detail
    }
}

extension Store {
    private static let reloadColumns = "generation, requested_at, requested_by, started_at, finished_at, outcome, detail"

    /// Asks the running coordinator to apply the configuration file again (it polls for this),
    /// and records who asked in the audit trail.
    /// - Returns: the new reload's generation.
    @discardableResult
    public func requestConfigReload(by actor: String, now: Date = Date()) throws(StoreError) -> Int64 {
        try locked(writing: "requestConfigReload") { db throws(StoreError) in
            _ = try db.run("INSERT INTO config_reloads(requested_at, requested_by) VALUES (?, ?)", [SQLiteValue(now), .text(actor)])
            let generation = db.lastInsertRowID
            try Self.audit(db, actor, .configReload, target: "config", detail: "reload \(generation) requested", at: now)
            return generation
        }
    }

    /// The newest reload request, if any.
    public func latestConfigReload() throws(StoreError) -> ConfigReload? {
        try locked("latestConfigReload") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.reloadColumns) FROM config_reloads ORDER BY generation DESC LIMIT 1", [], Self.reload)
        }
    }

    /// The newest reload that ended, if any.
    public func lastFinishedConfigReload() throws(StoreError) -> ConfigReload? {
        try locked("lastFinishedConfigReload") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.reloadColumns) FROM config_reloads WHERE finished_at IS NOT NULL ORDER BY generation DESC LIMIT 1",
                              [], Self.reload)
        }
    }

    /// One reload request by its generation.
    public func configReload(generation: Int64) throws(StoreError) -> ConfigReload? {
        try locked("configReload") { db throws(StoreError) in
            try db.queryFirst("SELECT \(Self.reloadColumns) FROM config_reloads WHERE generation = ?", [.integer(generation)], Self.reload)
        }
    }

    /// Marks a reload as taken up (`detail` says what is being done), or records its progress.
    public func noteConfigReload(generation: Int64, detail: String, now: Date = Date()) throws(StoreError) {
        try locked(writing: "noteConfigReload") { db throws(StoreError) in
            _ = try db.run("UPDATE config_reloads SET started_at = coalesce(started_at, ?), detail = ? WHERE generation = ?",
                           [SQLiteValue(now), .text(detail), .integer(generation)])
        }
    }

    /// Records how a reload ended. Requests made before it that no coordinator finished (they came
    /// while an earlier reload ran) end with it: it applied the file as it is now, which is what
    /// they asked for.
    public func finishConfigReload(generation: Int64, outcome: ConfigReload.Outcome, detail: String, now: Date = Date()) throws(StoreError) {
        try locked(writing: "finishConfigReload") { db throws(StoreError) in
            _ = try db.run("""
                UPDATE config_reloads SET started_at = coalesce(started_at, ?), finished_at = ?, outcome = ?, detail = ?
                WHERE generation = ?
                """, [SQLiteValue(now), SQLiteValue(now), .text(outcome.rawValue), .text(detail), .integer(generation)])
            _ = try db.run("""
                UPDATE config_reloads SET started_at = coalesce(started_at, ?), finished_at = ?, outcome = ?, detail = ?
                WHERE generation < ? AND finished_at IS NULL
                """, [SQLiteValue(now), SQLiteValue(now), .text(outcome.rawValue), .text("with reload \(generation): \(detail)"),
                      .integer(generation)])
        }
    }

    private static func reload(_ row: SQLiteRow) -> ConfigReload {
        ConfigReload(generation: row.int64(0), requestedAt: row.date(1), requestedBy: row.text(2), startedAt: row.dateOrNil(3),
                     finishedAt: row.dateOrNil(4), outcome: row.textOrNil(5).flatMap(ConfigReload.Outcome.init(rawValue:)),
                     detail: row.textOrNil(6))
    }
}
