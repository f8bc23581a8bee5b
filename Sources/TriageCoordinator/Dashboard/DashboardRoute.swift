import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore
import TriageStore

/// `GET /dashboard`: the server-rendered dashboard, guarded by the admin key like `/admin/`.
///
/// The key goes in `Authorization: Bearer <key>` (or `x-api-key`), or as the password of HTTP
/// Basic auth (any user name), so a browser asks for it: open `http://HOST:PORT/dashboard` and
/// give the admin key as the password. Never in the URL's query.
struct DashboardRoute: Sendable {
    let store: Store
    let pool: WorkerPool
    /// The tiers and classifier shown (a config reload replaces them).
    let live: LiveConfig
    let guardian: AdminGuard
    var windowMinutes = 60

    func handle(_ request: Request) -> Response {
        do throws(TriageError) {
            try guardian.check(Self.bearerFromBasic(request.headers))
        } catch {
            var headers: [String: String] = [:]
            if error.status == 401 { headers["www-authenticate"] = "Basic realm=\"Triage dashboard\", charset=\"UTF-8\"" }
            return ErrorResponse.make(error, headers: headers)
        }
        let page: String
        do {
            page = DashboardPage.render(try model(now: Date()))
        } catch {
            return ErrorResponse.make(.internalError("dashboard: \(error)"))
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    func model(now: Date) throws -> DashboardModel {
        let since = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - Double(windowMinutes - 1) * 60)
        let stats = try store.trafficStats(since: since, bucketSeconds: 60)
        var teams: [DashboardModel.TeamSpend] = []
        for team in try store.teams() {
            let period = BudgetPeriod(rawValue: team.period) ?? .monthly
            let status = try store.budgetStatus(teamID: team.id, periodStart: period.start(containing: now), now: now)
            teams.append(.init(name: team.name, period: team.period, spent: Money(nanoUSD: status.spentNano),
                               budget: team.budgetNano.map { Money(nanoUSD: $0) }))
        }
        teams.sort { $0.spent != $1.spent ? $0.spent > $1.spent : $0.name < $1.name }
        let workers = pool.links.map { link in
            DashboardModel.Worker(id: link.workerID, inFlight: link.inFlight, capacity: link.capacity, draining: link.isDraining,
                                  silentFor: Double(link.lastPong.duration(to: .now).components.seconds))
        }
        var model = DashboardModel.build(stats: stats, teams: teams, workers: workers, ladder: live.config.tiers,
                                         windowMinutes: windowMinutes, now: now)
        let verdicts = try store.shadowVerdictCounts(since: since).filter { $0.tier == model.cheapestTier }
        model.shadowJudged = verdicts.filter { $0.verdict != "unknown" }.reduce(0) { $0 + $1.count }
        model.shadowGoodEnough = verdicts.filter { $0.verdict == "as_good" || $0.verdict == "better" }.reduce(0) { $0 + $1.count }
        return model
    }

    /// The headers with an HTTP Basic password turned into a bearer key, so ``AdminGuard`` checks it.
    static func bearerFromBasic(_ headers: HTTPFields) -> HTTPFields {
        guard let auth = headers[.authorization], auth.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(auth.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return headers }
        var out = headers
        out[.authorization] = "Bearer " + text[text.index(after: colon)...]
        return out
    }
}
