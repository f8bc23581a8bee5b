import Foundation
import TriageCore
import TriageStore

/// Team, key and spend administration: the one implementation behind both the `triage team`,
/// `triage key` and `triage spend` commands and the `/admin/` HTTP API.
public struct TeamAdmin: Sendable {
    let store: Store
    let now: @Sendable () -> Date
    /// The ladder's tier names, cheapest first (a routing policy's `max_tier` must be one).
    var tiers: [String]
    /// Who makes the changes, as the audit trail names them (`cli root@host`, `admin-api 10.0.0.5`).
    public var actor: String

    public init(store: Store, tiers: [String] = [], actor: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
        self.tiers = tiers
        self.actor = actor
    }

    /// The same administration, acting for `actor`.
    public func acting(as actor: String) -> TeamAdmin {
        var copy = self
        copy.actor = actor
        return copy
    }

    /// A team with its spend in the current period.
    public struct TeamView: Codable, Sendable, Equatable {
        public var name: String
        public var budgetUSD: String?
        public var period: String
        public var softLimit: Double?
        /// The team's request rate limit, requests per minute; nil for none.
        public var requestsPerMinute: Int?
        /// The team's token rate limit, prompt and answer tokens per minute; nil for none.
        public var tokensPerMinute: Int?
        /// The team's limit on requests in flight at once; nil for none.
        public var maxConcurrent: Int?
        public var spentUSD: String
        public var reservedUSD: String
        public var remainingUSD: String?
        public var periodResetsAt: String?
        public var activeKeys: Int

        enum CodingKeys: String, CodingKey {
            case name, period
            case budgetUSD = "budget_usd", softLimit = "soft_limit", spentUSD = "spent_usd", reservedUSD = "reserved_usd", requestsPerMinute = "rpm"
            case tokensPerMinute = "tpm"
            case maxConcurrent = "max_concurrent"
            case remainingUSD = "remaining_usd", periodResetsAt = "period_resets_at", activeKeys = "active_keys"
        }
    }

    /// A key as listed (never the key itself).
    public struct KeyView: Codable, Sendable, Equatable {
        public var id: Int64
        public var team: String
        public var name: String?
        public var prefix: String
        public var createdAt: String
        public var revoked: Bool
        /// When the key stops working (ISO 8601); nil for never.
        public var expiresAt: String?
        /// Whether that time has passed.
        public var expired: Bool
        /// The id of the key that replaced this one (`triage key rotate`); nil when not rotated.
        public var replacedBy: Int64?
        /// The key's own budget for its team's period (shared with the key it was rotated from); nil for none.
        public var budgetUSD: String?
        /// What was spent under that budget in the current period; nil without a budget.
        public var spentUSD: String?

        enum CodingKeys: String, CodingKey {
            case id, team, name, prefix, revoked, expired
            case createdAt = "created_at", expiresAt = "expires_at", replacedBy = "replaced_by", budgetUSD = "budget_usd", spentUSD = "spent_usd"
        }
    }

    /// One administrative change as listed (`triage audit`, `GET /admin/audit`).
    public struct AuditView: Codable, Sendable, Equatable {
        /// When (ISO 8601).
        public var at: String
        public var actor: String
        /// `team.create`, `team.update`, `key.revoke`, `classifier.activate`, ...
        public var action: String
        public var target: String
        public var detail: String
    }

    /// A newly created key: the only time the key is shown.
    public struct NewKey: Codable, Sendable {
        public var id: Int64
        public var team: String
        public var prefix: String
        public var key: String
        /// When it stops working (ISO 8601); nil for never.
        public var expiresAt: String?

        enum CodingKeys: String, CodingKey {
            case id, team, prefix, key
            case expiresAt = "expires_at"
        }
    }

    /// Creates a team; `requestsPerMinute` and `tokensPerMinute` limit its request and token rates,
    /// `maxConcurrent` its requests in flight (nil for no limit).
    public func createTeam(name: String, budgetUSD: Double?, period: String?, softLimit: Double?,
                           requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, maxConcurrent: Int? = nil) throws(TriageError) -> TeamView {
        try validate(name: name)
        let p = try validPeriod(period ?? "monthly")
        let budget = try budgetUSD.map { b throws(TriageError) in try validBudget(b) }
        if let s = softLimit { try validate(softLimit: s) }
        if let r = requestsPerMinute { try validate(requestsPerMinute: r) }
        if let t = tokensPerMinute { try validate(tokensPerMinute: t) }
        if let c = maxConcurrent { try validate(maxConcurrent: c) }
        do {
            if try store.team(named: name) != nil { throw TriageError.conflict("Team '\(name)' already exists.") }
            let t = try store.createTeam(name: name, budgetNano: budget, period: p.rawValue, softLimit: softLimit,
                                         requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, maxConcurrent: maxConcurrent,
                                         by: actor, now: now())
            return try view(t)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    public func teams() throws(TriageError) -> [TeamView] {
        do { return try store.teams().map { t in try view(t) } } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    public func team(_ name: String) throws(TriageError) -> TeamView {
        do {
            guard let t = try store.team(named: name) else { throw TriageError.notFound("No team named '\(name)'.") }
            return try view(t)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// Changes a team; `budgetUSD: .some(nil)` removes the budget, `requestsPerMinute: .some(nil)`
    /// and `tokensPerMinute: .some(nil)` a rate limit. The coordinator applies a new rate limit
    /// within `auth.cache_s`.
    public func updateTeam(_ name: String, budgetUSD: Double??, period: String?, softLimit: Double??,
                           requestsPerMinute: Int?? = nil, tokensPerMinute: Int?? = nil, maxConcurrent: Int?? = nil) throws(TriageError) -> TeamView {
        let budget: Int64?? = try budgetUSD.map { b throws(TriageError) in try b.map { v throws(TriageError) in try validBudget(v) } }
        let p = try period.map { x throws(TriageError) in try validPeriod(x).rawValue }
        if let s = softLimit ?? nil { try validate(softLimit: s) }
        if let r = requestsPerMinute ?? nil { try validate(requestsPerMinute: r) }
        if let t = tokensPerMinute ?? nil { try validate(tokensPerMinute: t) }
        if let c = maxConcurrent ?? nil { try validate(maxConcurrent: c) }
        do {
            guard let t = try store.updateTeam(name: name, budgetNano: budget, period: p, softLimit: softLimit,
                                               requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute,
                                               maxConcurrent: maxConcurrent, by: actor, now: now()) else {
                throw TriageError.notFound("No team named '\(name)'.")
            }
            return try view(t)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    public func deleteTeam(_ name: String) throws(TriageError) {
        do {
            guard try store.deleteTeam(name: name, by: actor, now: now()) else { throw TriageError.notFound("No team named '\(name)'.") }
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// Creates a key for `team`; `expires` (`30d`, `12h`, `90m`, `45s`, a date like `2027-01-01` or an
    /// ISO 8601 time) makes it stop working then; `budgetUSD` gives it a budget of its own for the
    /// team's period, inside the team's.
    public func createKey(team: String, name: String?, expires: String? = nil, budgetUSD: Double? = nil) throws(TriageError) -> NewKey {
        let at = now()
        let expiresAt = try expires.map { e throws(TriageError) in try Self.futureExpiry(e, now: at) }
        let budget = try budgetUSD.map { b throws(TriageError) in try validBudget(b) }
        do {
            guard let t = try store.team(named: team) else { throw TriageError.notFound("No team named '\(team)'.") }
            let key = APIKey.generate()
            let id = try store.createKey(teamID: t.id, name: name, prefix: key.prefix, hash: key.hash, expiresAt: expiresAt, budgetNano: budget,
                                         by: actor, now: at)
            return NewKey(id: id, team: t.name, prefix: key.prefix, key: key.text,
                          expiresAt: expiresAt.map { ISO8601DateFormatter().string(from: $0) })
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    public func keys(team: String?) throws(TriageError) -> [KeyView] {
        do {
            var teamID: Int64?
            if let team {
                guard let t = try store.team(named: team) else { throw TriageError.notFound("No team named '\(team)'.") }
                teamID = t.id
            }
            return try store.keys(teamID: teamID).map(keyView)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// Sets (or with nil removes) the budget of a key, by id or prefix: a budget of its own for its
    /// team's period, inside the team's. A key made by rotation shares one budget with the key it
    /// replaced, so this sets theirs. The budget counts what those keys already spent this period.
    public func setKeyBudget(_ idOrPrefix: String, budgetUSD: Double?) throws(TriageError) -> KeyView {
        let budget = try budgetUSD.map { b throws(TriageError) in try validBudget(b) }
        let at = now()
        do {
            let key = try store.setKeyBudget(idOrPrefix, budgetNano: budget, periodStart: { Self.period(of: $0).start(containing: at) }, by: actor, now: at)
            guard let key else { throw TriageError.notFound("No key with id or prefix '\(idOrPrefix)'.") }
            return try keyView(key)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    private func keyView(_ k: APIKeyRecord) throws -> KeyView {
        let format = ISO8601DateFormatter()
        var spent: Int64?
        if k.budgetNano != nil, let team = try store.team(id: k.teamID) {
            let at = now()
            spent = try store.keyBudgetStatus(keyID: k.id, periodStart: Self.period(of: team).start(containing: at), now: at)?.spentNano
        }
        return KeyView(id: k.id, team: k.teamName, name: k.name, prefix: k.prefix, createdAt: format.string(from: k.createdAt), revoked: k.revokedAt != nil,
                       expiresAt: k.expiresAt.map { format.string(from: $0) }, expired: k.expiresAt.map { $0 <= now() } ?? false, replacedBy: k.replacedBy,
                       budgetUSD: k.budgetNano.map { Money(nanoUSD: $0).description }, spentUSD: spent.map { Money(nanoUSD: $0).description })
    }

    private static func period(of team: TeamRecord) -> BudgetPeriod {
        BudgetPeriod(rawValue: team.period) ?? .monthly
    }

    /// A rotated key: the new key (shown this once) and when the old one stops.
    public struct RotatedKey: Codable, Sendable {
        public var key: NewKey
        /// The replaced key's prefix.
        public var oldPrefix: String
        /// When the replaced key stops working (ISO 8601).
        public var oldExpiresAt: String

        enum CodingKeys: String, CodingKey {
            case key
            case oldPrefix = "old_prefix", oldExpiresAt = "old_expires_at"
        }
    }

    /// Replaces an active key with a new one for the same team and name; the old key keeps working
    /// for `grace` (a duration such as `24h`, `30m` or `0`; default 24 hours), so its clients can
    /// move over. The new key expires at `expires` (as ``createKey(team:name:expires:)`` reads it),
    /// or, when not given, after the old key's lifetime if it had one (a 90-day key stays a 90-day
    /// key), else never.
    public func rotateKey(_ idOrPrefix: String, grace: String? = nil, expires: String? = nil) throws(TriageError) -> RotatedKey {
        let at = now()
        var graceSeconds: TimeInterval = 86_400
        if let grace {
            guard let seconds = grace == "0" ? 0 : Self.parseDuration(grace) else {
                throw .invalidField("grace", "expected a duration such as 24h, 30m or 0")
            }
            graceSeconds = seconds
        }
        let fixedExpiry = try expires.map { e throws(TriageError) in try Self.futureExpiry(e, now: at) }
        let key = APIKey.generate()
        do {
            let rotation = try store.rotateKey(idOrPrefix, newPrefix: key.prefix, newHash: key.hash, newExpiresAt: { old in
                fixedExpiry ?? old.expiresAt.map { at.addingTimeInterval($0.timeIntervalSince(old.createdAt)) }
            }, oldExpiresAt: at.addingTimeInterval(graceSeconds), by: actor, now: at)
            switch rotation {
            case .notFound:
                throw TriageError.notFound("No active key '\(idOrPrefix)'.")
            case .alreadyReplaced(let prefix):
                throw TriageError.conflict("Key '\(idOrPrefix)' was already rotated: key \(prefix) replaced it. Rotate that one instead.")
            case .rotated(let old, let newID, let newExpiresAt):
                let format = ISO8601DateFormatter()
                return RotatedKey(key: NewKey(id: newID, team: old.teamName, prefix: key.prefix, key: key.text,
                                              expiresAt: newExpiresAt.map { format.string(from: $0) }),
                                  oldPrefix: old.prefix, oldExpiresAt: format.string(from: old.expiresAt ?? at))
            }
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// A key's expiry as given to `expires`, which must lie after `now`.
    private static func futureExpiry(_ expires: String, now: Date) throws(TriageError) -> Date {
        guard let d = parseExpiry(expires, now: now) else {
            throw .invalidField("expires", "expected a duration such as 30d, 12h, 90m or 45s, a date like 2027-01-01, or an ISO 8601 time")
        }
        guard d > now else { throw .invalidField("expires", "\(expires) is not in the future") }
        return d
    }

    /// Seconds in a duration such as `30d`, `12h`, `90m` or `45s` (zero allowed); nil for anything else.
    static func parseDuration(_ s: String) -> TimeInterval? {
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        guard let unit = s.last.flatMap({ units[$0] }), let n = Double(s.dropLast()), n.isFinite, n >= 0 else { return nil }
        return n * unit
    }

    public func revokeKey(_ idOrPrefix: String) throws(TriageError) {
        do {
            guard try store.revokeKey(idOrPrefix, by: actor, now: now()) else { throw TriageError.notFound("No active key '\(idOrPrefix)'.") }
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// A spend row as `GET /admin/spend` and `triage spend --json` give it: `team`, `group` (the
    /// tier, model, day, key or user; "" for the team's total), `requests`, `prompt_tokens`,
    /// `completion_tokens`, `cost_usd` (nine decimals) and `cost_nano` (an exact integer to add up).
    public static func json(_ row: SpendRow) -> JSONValue {
        .object(["team": .string(row.team), "group": .string(row.key), "requests": .int(Int64(row.requests)),
                 "prompt_tokens": .int(Int64(row.promptTokens)), "completion_tokens": .int(Int64(row.completionTokens)),
                 "cost_usd": .string(Money(nanoUSD: row.costNano).description), "cost_nano": .int(row.costNano)])
    }

    public func spend(team: String?, by: String?, since: String?) throws(TriageError) -> [SpendRow] {
        guard let grouping = Store.SpendGrouping(rawValue: by ?? "team") else {
            throw .invalidField("by", "expected one of team, tier, model, day, key, user")
        }
        var sinceDate: Date?
        if let since {
            guard let d = Self.parseDate(since) else { throw .invalidField("since", "expected a date like 2026-11-01 or an ISO 8601 time") }
            sinceDate = d
        }
        do { return try store.spendReport(team: team, by: grouping, since: sinceDate) } catch { throw .internalError("\(error)") }
    }

    /// The audit trail of administrative changes, newest first: optionally only those at or after
    /// `since` (a date or ISO 8601 time) and to one team (or other target), at most `limit`.
    public func audit(since: String?, target: String?, limit: Int?) throws(TriageError) -> [AuditView] {
        var sinceDate: Date?
        if let since {
            guard let d = Self.parseDate(since) else { throw .invalidField("since", "expected a date like 2026-11-01 or an ISO 8601 time") }
            sinceDate = d
        }
        let n = limit ?? 100
        guard (1...10_000).contains(n) else { throw .invalidField("limit", "expected a number of entries from 1 to 10000") }
        do {
            return try store.auditEvents(since: sinceDate, target: target, limit: n).map {
                AuditView(at: ISO8601DateFormatter().string(from: $0.at), actor: $0.actor, action: $0.action.rawValue, target: $0.target,
                          detail: $0.detail)
            }
        } catch { throw .internalError("\(error)") }
    }

    /// A key's expiry: `now` plus a duration (`30d`, `12h`, `90m`, `45s`), or a time as ``parseDate(_:)`` reads it.
    public static func parseExpiry(_ s: String, now: Date) -> Date? {
        if let seconds = parseDuration(s) { return seconds > 0 ? now.addingTimeInterval(seconds) : nil }
        return parseDate(s)
    }

    /// Parses `2026-11-01` (UTC midnight) or an ISO 8601 time.
    public static func parseDate(_ s: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: s) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.date(from: s)
    }

    private func view(_ t: TeamRecord) throws -> TeamView {
        let period = BudgetPeriod(rawValue: t.period) ?? .monthly
        let at = now()
        let status = try store.budgetStatus(teamID: t.id, periodStart: period.start(containing: at), now: at)
        let active = try store.keys(teamID: t.id).filter { $0.revokedAt == nil }.count
        return TeamView(name: t.name, budgetUSD: t.budgetNano.map { Money(nanoUSD: $0).description }, period: t.period,
                        softLimit: t.softLimit, requestsPerMinute: t.requestsPerMinute,
                        tokensPerMinute: t.tokensPerMinute, maxConcurrent: t.maxConcurrent, spentUSD: Money(nanoUSD: status.spentNano).description,
                        reservedUSD: Money(nanoUSD: status.reservedNano).description,
                        remainingUSD: status.remainingNano.map { Money(nanoUSD: $0).description },
                        periodResetsAt: period.end(containing: at).map { ISO8601DateFormatter().string(from: $0) }, activeKeys: active)
    }

    private func validate(name: String) throws(TriageError) {
        let ok = !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        if !ok { throw .invalidField("name", "use 1-64 letters, digits, '-', '_' or '.'") }
    }

    private func validPeriod(_ p: String) throws(TriageError) -> BudgetPeriod {
        guard let period = BudgetPeriod(rawValue: p) else { throw .invalidField("period", "expected daily, weekly, monthly or total") }
        return period
    }

    private func validBudget(_ usd: Double) throws(TriageError) -> Int64 {
        guard usd.isFinite, usd >= 0, usd < 1e9 else { throw .invalidField("budget", "expected a non-negative amount of USD") }
        return Money(usd: usd).nanoUSD
    }

    private func validate(requestsPerMinute: Int) throws(TriageError) {
        guard (1...Self.maxRequestsPerMinute).contains(requestsPerMinute) else {
            throw .invalidField("rpm", "expected a whole number of requests per minute from 1 to \(Self.maxRequestsPerMinute), or none")
        }
    }

    /// The highest request rate limit a team may have (a million requests a minute).
    public static let maxRequestsPerMinute = 1_000_000

    private func validate(tokensPerMinute: Int) throws(TriageError) {
        guard (1...Self.maxTokensPerMinute).contains(tokensPerMinute) else {
            throw .invalidField("tpm", "expected a whole number of tokens per minute from 1 to \(Self.maxTokensPerMinute), or none")
        }
    }

    /// The highest token rate limit a team may have (ten billion tokens a minute).
    public static let maxTokensPerMinute = 10_000_000_000

    private func validate(maxConcurrent: Int) throws(TriageError) {
        guard (1...Self.maxConcurrentLimit).contains(maxConcurrent) else {
            throw .invalidField("max_concurrent", "expected a whole number of requests in flight from 1 to \(Self.maxConcurrentLimit), or none")
        }
    }

    /// The highest limit on requests in flight a team may have.
    public static let maxConcurrentLimit = 1_000_000

    private func validate(softLimit: Double) throws(TriageError) {
        guard softLimit > 0, softLimit <= 1 else { throw .invalidField("soft_limit", "expected a fraction of the budget in (0, 1], e.g. 0.8") }
    }
}
