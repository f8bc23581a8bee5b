import Foundation
import TriageCore
import TriageStore

/// What `triage status` shows: the cluster as its shared store sees it (workers and their
/// heartbeats, the last config reload, open circuits, the classifier in use, teams at or past
/// their budgets, reservations in flight, charges of dead workers not in the ledger yet). It needs
/// no running coordinator, so it also tells why a cluster is not serving.
public struct ClusterStatus: Codable, Sendable, Equatable {
    public struct Worker: Codable, Sendable, Equatable {
        public var id: String
        public var pid: Int32
        public var host: String
        /// `ready`, `draining` or `stopped`, as the worker last wrote it.
        public var state: String
        public var capacity: Int
        /// Seconds since its last heartbeat.
        public var heartbeatAgeS: Double
        /// Seconds since it started.
        public var upS: Double
        /// Ready, with a heartbeat within `workers.stale_s`: the coordinator sends it requests.
        public var live: Bool

        enum CodingKeys: String, CodingKey {
            case id, pid, host, state, capacity, live
            case heartbeatAgeS = "heartbeat_age_s", upS = "up_s"
        }
    }

    public struct Reload: Codable, Sendable, Equatable {
        public var generation: Int64
        /// `pending`, `running`, `applied` or `failed`.
        public var status: String
        public var requestedAt: String
        public var detail: String?

        enum CodingKeys: String, CodingKey {
            case generation, status, detail
            case requestedAt = "requested_at"
        }
    }

    public struct Circuit: Codable, Sendable, Equatable {
        /// `provider/model`.
        public var model: String
        /// `open` or `half_open`.
        public var state: String
        /// When it opened (ISO 8601).
        public var openedAt: String?

        enum CodingKeys: String, CodingKey {
            case model, state
            case openedAt = "opened_at"
        }
    }

    public struct TeamBudget: Codable, Sendable, Equatable {
        public var team: String
        public var period: String
        public var spentUSD: String
        public var budgetUSD: String
        /// `exhausted` (nothing more fits) or `capped` (past the soft limit: requests start no higher than the capped tier).
        public var state: String

        enum CodingKeys: String, CodingKey {
            case team, period, state
            case spentUSD = "spent_usd", budgetUSD = "budget_usd"
        }
    }

    public var store: String
    public var schemaVersion: Int
    public var workers: [Worker]
    public var liveWorkers: Int
    public var lastReload: Reload?
    /// Circuits not closed: their models are skipped for the next tier up.
    public var circuits: [Circuit]
    /// `classifier.kind` (`rules`, `judge`), or for `learned` its active version (`learned v3`).
    public var classifier: String
    public var teams: Int
    /// Teams at or past their budget, or past their soft limit, in the current period.
    public var budgets: [TeamBudget]
    public var activeReservations: Int
    /// Charges that workers which are gone journaled and the ledger does not hold yet: answers
    /// whose settlements never committed, and streams cut mid-way (their last checkpoint). The
    /// next reclaim pass of a live worker writes them.
    public var unchargedSettlements: Int
    public var generatedAt: String

    enum CodingKeys: String, CodingKey {
        case store, workers, circuits, classifier, teams, budgets
        case schemaVersion = "schema_version", liveWorkers = "live_workers", lastReload = "last_reload",
             activeReservations = "active_reservations", unchargedSettlements = "uncharged_settlements", generatedAt = "generated_at"
    }

    /// Reads the status from `store`; `classifierKind` is `classifier.kind`, `staleAfter` `workers.stale_s`.
    public static func read(store: Store, storePath: String, classifierKind: String, staleAfter: TimeInterval,
                            now: Date = Date()) throws -> ClusterStatus {
        let format = ISO8601DateFormatter()
        let workers = try store.workers().map { w in
            Worker(id: w.id, pid: w.pid, host: w.host, state: w.state.rawValue, capacity: w.capacity,
                   heartbeatAgeS: max(0, now.timeIntervalSince(w.heartbeatAt)), upS: max(0, now.timeIntervalSince(w.startedAt)),
                   live: w.state == .ready && now.timeIntervalSince(w.heartbeatAt) <= staleAfter)
        }.sorted { $0.id < $1.id }
        let reload = try store.latestConfigReload().map {
            Reload(generation: $0.generation, status: $0.status, requestedAt: format.string(from: $0.requestedAt), detail: $0.detail)
        }
        let circuits = try store.circuitStates().compactMap { key, json -> Circuit? in
            guard let b = try? JSONDecoder().decode(CircuitBreaker.self, from: Data(json.utf8)), b.state != .closed else { return nil }
            return Circuit(model: key, state: b.state.rawValue, openedAt: b.openedAt.map { format.string(from: $0) })
        }.sorted { $0.model < $1.model }
        var classifier = classifierKind
        if classifierKind == "learned" {
            classifier = try store.activeClassifierVersion().map { "learned v\($0)" } ?? "learned (no version installed: rules)"
        }
        let teams = try store.teams()
        var budgets: [TeamBudget] = []
        for team in teams {
            guard let budget = team.budgetNano else { continue }
            let period = BudgetPeriod(rawValue: team.period) ?? .monthly
            let status = try store.budgetStatus(teamID: team.id, periodStart: period.start(containing: now), now: now)
            let state: String
            if status.spentNano >= budget {
                state = "exhausted"
            } else if status.isPastSoftLimit {
                state = "capped"
            } else {
                continue
            }
            budgets.append(TeamBudget(team: team.name, period: team.period, spentUSD: Money(nanoUSD: status.spentNano).description,
                                      budgetUSD: Money(nanoUSD: budget).description, state: state))
        }
        return ClusterStatus(store: storePath, schemaVersion: try store.schemaVersion(), workers: workers, liveWorkers: workers.filter(\.live).count,
                             lastReload: reload, circuits: circuits, classifier: classifier, teams: teams.count, budgets: budgets,
                             activeReservations: try store.activeReservationCount(now: now),
                             unchargedSettlements: try store.unchargedSettlements(journals: SettlementJournal.directory(forStore: storePath)),
                             generatedAt: format.string(from: now))
    }

    /// The status for a person: one line per subject.
    public var text: String {
        var lines: [String] = []
        lines.append("store        \(store) (schema v\(schemaVersion))")
        lines.append("workers      \(liveWorkers) live of \(workers.count)" + (liveWorkers == 0 ? ": nothing is served" : ""))
        for w in workers {
            lines.append("  \(w.id)  pid \(w.pid) on \(w.host), \(w.live ? "live" : w.state == "ready" ? "silent" : w.state), "
                         + "heartbeat \(Self.age(w.heartbeatAgeS)) ago, up \(Self.age(w.upS)), capacity \(w.capacity)")
        }
        if let r = lastReload {
            lines.append("config       reload \(r.generation) \(r.status) (asked \(r.requestedAt))" + (r.detail.map { ": \($0)" } ?? ""))
        } else {
            lines.append("config       never reloaded")
        }
        lines.append("circuits     " + (circuits.isEmpty ? "all closed" : circuits.map { "\($0.model) \($0.state)" + ($0.openedAt.map { " since \($0)" } ?? "") }
            .joined(separator: ", ")))
        lines.append("classifier   \(classifier)")
        lines.append("budgets      \(teams) team\(teams == 1 ? "" : "s")" + (budgets.isEmpty ? ", none at its budget or soft limit" : ""))
        for b in budgets {
            let when = ["daily": "today", "weekly": "this week", "monthly": "this month"][b.period] ?? "in total"
            lines.append("  \(b.team)  \(b.state): $\(b.spentUSD) of $\(b.budgetUSD) \(when)")
        }
        lines.append("reservations \(activeReservations) in flight")
        lines.append("settlements  " + (unchargedSettlements == 0 ? "all in the ledger"
            : "\(unchargedSettlements) charges of workers that are gone (answers, or streams they were serving), not in the ledger yet (a live worker's next reclaim pass writes them)"))
        return lines.joined(separator: "\n")
    }

    /// `0.4 s`, `12 s`, `3 min`, `2 h 5 min`, `3 d 4 h`.
    static func age(_ s: Double) -> String {
        if s < 10 { return String(format: "%.1f s", s) }
        if s < 120 { return "\(Int(s)) s" }
        let m = Int(s / 60)
        if m < 120 { return "\(m) min" }
        let h = m / 60
        if h < 48 { return "\(h) h \(m % 60) min" }
        return "\(h / 24) d \(h % 24) h"
    }
}
