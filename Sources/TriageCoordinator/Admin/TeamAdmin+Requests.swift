import Foundation
import TriageCore
import TriageStore

extension TeamAdmin {
    /// One request as the request log holds it, for `triage requests` and `GET /admin/requests`.
    public struct RequestView: Codable, Sendable, Equatable {
        public var id: String
        public var createdAt: String
        /// The team's name (`(no team)` without one, or for a team since deleted).
        public var team: String
        public var worker: String?
        public var tier: String?
        public var model: String?
        public var provider: String?
        /// Why the router chose the first tier.
        public var reason: String?
        public var stream: Bool
        /// Each upstream attempt: tier, model, outcome, status, milliseconds, message.
        public var attempts: JSONValue?
        public var status: Int
        public var errorType: String?
        public var latencyMs: Double?
        public var upstreamMs: Double?
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var usageEstimated: Bool
        public var costUSD: String

        enum CodingKeys: String, CodingKey {
            case id, team, worker, tier, model, provider, reason, stream, attempts, status
            case createdAt = "created_at", errorType = "error_type", latencyMs = "latency_ms", upstreamMs = "upstream_ms"
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", usageEstimated = "usage_estimated"
            case costUSD = "cost_usd"
        }
    }

    /// The most recent requests, newest first.
    /// - Parameters:
    ///   - team: only this team's (it must exist).
    ///   - limit: how many, 1 to 1000 (default 20).
    public func requests(team: String?, limit: Int?) throws(TriageError) -> [RequestView] {
        let n = limit ?? 20
        guard (1...1000).contains(n) else { throw .invalidField("limit", "expected 1 to 1000") }
        do {
            var teamID: Int64?
            if let team {
                guard let t = try store.team(named: team) else { throw TriageError.notFound("No team '\(team)'.") }
                teamID = t.id
            }
            let names = try store.teamNames()
            let time = ISO8601DateFormatter()
            return try store.recentRequests(limit: n, teamID: teamID).map { view($0, names: names, time: time) }
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// One request by its id (the `x-triage-request-id` header of its answer).
    public func request(_ id: String) throws(TriageError) -> RequestView {
        do {
            guard let entry = try store.request(id: id) else {
                throw TriageError.notFound("No request '\(id)' in the request log. Its row is written within a second of the "
                                           + "answer; requests refused before reaching a worker (malformed, unauthenticated, too large, unknown model) have none.")
            }
            return view(entry, names: try store.teamNames(), time: ISO8601DateFormatter())
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    private func view(_ e: RequestLogEntry, names: [Int64: String], time: ISO8601DateFormatter) -> RequestView {
        RequestView(id: e.id, createdAt: time.string(from: e.createdAt),
                    team: e.teamID.flatMap { names[$0] } ?? "(no team)", worker: e.workerID, tier: e.tier, model: e.model,
                    provider: e.provider, reason: e.reason, stream: e.stream,
                    attempts: e.attemptLog.flatMap { try? JSONValue.parse(Array($0.utf8)) }, status: e.status,
                    errorType: e.errorType, latencyMs: e.latencyMs, upstreamMs: e.upstreamMs, promptTokens: e.promptTokens,
                    completionTokens: e.completionTokens, usageEstimated: e.usageEstimated,
                    costUSD: Money(nanoUSD: e.costNano).description)
    }
}
