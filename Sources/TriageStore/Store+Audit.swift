import Foundation

/// One administrative change: who made it, when, and what it changed.
public struct AuditEvent: Sendable, Equatable, Codable {
    /// What was done.
    public enum Action: String, Sendable, Codable, CaseIterable {
        case teamCreate = "team.create"
        case teamUpdate = "team.update"
        case teamDelete = "team.delete"
        case teamPolicy = "team.policy"
        case keyCreate = "key.create"
        case keyRevoke = "key.revoke"
        case keyRotate = "key.rotate"
        case keyUpdate = "key.update"
        case classifierInstall = "classifier.install"
        case classifierActivate = "classifier.activate"
        case storeRestore = "store.restore"
        case configReload = "config.reload"
    }

    public var id: Int64
    public var at: Date
    /// Who: `cli root@host`, `admin-api 10.0.0.5`, `retrain (scheduled)`.
    public var actor: String
    public var action: Action
    /// The team's name for team and key changes, `classifier vN`, or the data directory.
    public var target: String
    /// What changed, for a person: `budget $50 → $80, rpm none → 600`.
    public var detail: String

    public init(id: Int64, at: Date, actor: String, action: Action, target: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}

extension Store {
    /// Writes an audit row on `db`, inside the transaction of the change it describes, so the
    /// trail holds every change that took effect and none that did not. Nothing when `actor` is nil.
    static func audit(_ db: SQLiteConnection, _ actor: String?, _ action: AuditEvent.Action, target: String, detail: String,
                      at: Date) throws(StoreError) {
        guard let actor else { return }
        _ = try db.run("INSERT INTO admin_audit(at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                       [SQLiteValue(at), .text(actor), .text(action.rawValue), .text(target), .text(detail)])
    }

    /// Records a change made outside one of the store's own transactions (a restore).
    public func recordAudit(actor: String, action: AuditEvent.Action, target: String, detail: String, now: Date = Date()) throws(StoreError) {
        try locked(writing: "recordAudit") { db throws(StoreError) in
            try Self.audit(db, actor, action, target: target, detail: detail, at: now)
        }
    }

    /// The audit trail, newest first.
    /// - Parameters:
    ///   - since: Only changes at or after this time.
    ///   - target: Only changes to this team (or other target).
    ///   - limit: At most this many.
    public func auditEvents(since: Date? = nil, target: String? = nil, limit: Int = 100) throws(StoreError) -> [AuditEvent] {
        try locked("auditEvents") { db throws(StoreError) in
            try db.query("""
                SELECT id, at, actor, action, target, detail FROM admin_audit
                WHERE (? IS NULL OR at >= ?) AND (? IS NULL OR target = ?) ORDER BY id DESC LIMIT ?
                """, [SQLiteValue(since), SQLiteValue(since), SQLiteValue(target), SQLiteValue(target), .integer(Int64(max(0, limit)))]) { r in
                AuditEvent(id: r.int64(0), at: r.date(1), actor: r.text(2), action: AuditEvent.Action(rawValue: r.text(3)) ?? .teamUpdate,
                           target: r.text(4), detail: r.text(5))
            }
        }
    }
}

/// How an audit row describes a team and its changes.
enum AuditText {
    /// `$50`, `$0.25`, or `unlimited`.
    static func usd(_ nano: Int64?) -> String {
        guard let nano else { return "unlimited" }
        let whole = nano / 1_000_000_000
        var fraction = String(abs(nano % 1_000_000_000))
        guard fraction != "0" else { return "$\(whole)" }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "$\(whole).\(fraction)"
    }

    private static func limit(_ n: Int?) -> String { n.map(String.init) ?? "none" }
    private static func fraction(_ d: Double?) -> String { d.map { "\($0)" } ?? "none" }

    /// A new team's settings: `budget $50 monthly, soft limit 0.8, rpm 600, tpm none, max concurrent none`.
    static func describe(_ t: TeamRecord) -> String {
        "budget \(usd(t.budgetNano)) \(t.period), soft limit \(fraction(t.softLimit)), rpm \(limit(t.requestsPerMinute)), "
            + "tpm \(limit(t.tokensPerMinute)), max concurrent \(limit(t.maxConcurrent))"
    }

    /// What changed between two versions of a team: `budget $50 → $80, rpm none → 600`; nil when
    /// nothing did.
    static func changes(from old: TeamRecord, to new: TeamRecord) -> String? {
        let fields: [(String, String, String)] = [
            ("budget", usd(old.budgetNano), usd(new.budgetNano)),
            ("period", old.period, new.period),
            ("soft limit", fraction(old.softLimit), fraction(new.softLimit)),
            ("rpm", limit(old.requestsPerMinute), limit(new.requestsPerMinute)),
            ("tpm", limit(old.tokensPerMinute), limit(new.tokensPerMinute)),
            ("max concurrent", limit(old.maxConcurrent), limit(new.maxConcurrent)),
        ]
        let changed = fields.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1) → \($0.2)" }
        return changed.isEmpty ? nil : changed.joined(separator: ", ")
    }

    /// A routing policy: `dial 0.3, dial range 0.1-0.6, max tier medium`, or `removed`.
    static func describe(_ p: TeamRoutingPolicy) -> String {
        guard !p.isEmpty else { return "removed" }
        var parts: [String] = []
        if let d = p.dial { parts.append("dial \(d)") }
        if p.dialMin != nil || p.dialMax != nil { parts.append("dial range \(p.dialMin ?? 0)-\(p.dialMax ?? 1)") }
        if let t = p.maxTier { parts.append("max tier \(t)") }
        return parts.joined(separator: ", ")
    }
}
