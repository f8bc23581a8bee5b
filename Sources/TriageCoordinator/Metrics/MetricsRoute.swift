import Foundation
import Hummingbird
import NIOCore
import Prometheus
import TriageCore
import TriageStore

/// `GET /metrics`: the Prometheus text exposition format (version 0.0.4), one scrape for the
/// whole host.
///
/// Open on the listen address by default, since Prometheus scrapes it; with
/// `TRIAGE_METRICS_AUTH=admin` in the coordinator's environment it needs the admin key, like
/// `/admin/` (Prometheus: `authorization: {credentials: <admin key>}`).
struct MetricsRoute: Sendable {
    let metrics: TriageMetrics
    let gauges: ScrapeGauges
    let storeCounters: StoreCounters
    let store: Store
    let pool: WorkerPool
    /// The tiers and classifier shown (a config reload replaces them).
    let live: LiveConfig
    /// The admin-key check, or nil when `/metrics` is open.
    let guardian: AdminGuard?

    init(metrics: TriageMetrics, store: Store, pool: WorkerPool, live: LiveConfig, guardian: AdminGuard?) {
        self.metrics = metrics
        self.gauges = ScrapeGauges(factory: metrics.factory)
        self.storeCounters = StoreCounters(factory: metrics.factory)
        self.store = store
        self.pool = pool
        self.live = live
        self.guardian = guardian
    }

    func handle(_ request: Request) -> Response {
        if let guardian {
            do throws(TriageError) { try guardian.check(request.headers) } catch { return ErrorResponse.make(error) }
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: ResponseBody(byteBuffer: ByteBuffer(string: render(now: Date()))))
    }

    /// Refreshes the scrape-time gauges and renders every metric, families sorted by name,
    /// each with its `# HELP` line.
    func render(now: Date) -> String {
        refreshWorkers()
        refreshTeams(now: now)
        refreshCircuits()
        refreshShadowVerdicts()
        refreshReload()
        gauges.set(TriageMetrics.Name.classifier, [.init([("classifier", live.config.classifier.kind)], 1)])
        return Self.withHelp(metrics.registry.emitToString(), help: TriageMetrics.Name.help)
    }

    private func refreshWorkers() {
        let links = pool.links
        gauges.set(TriageMetrics.Name.workersConnected, [.init([], Double(links.count))])
        gauges.set(TriageMetrics.Name.workerInFlight, links.map { .init([("worker", $0.workerID)], Double($0.inFlight)) })
        gauges.set(TriageMetrics.Name.workerCapacity, links.map { .init([("worker", $0.workerID)], Double($0.capacity)) })
        gauges.set(TriageMetrics.Name.workerDraining, links.map { .init([("worker", $0.workerID)], $0.isDraining ? 1 : 0) })
    }

    private func refreshTeams(now: Date) {
        do {
            var spend: [ScrapeGauges.Sample] = []
            var budget: [ScrapeGauges.Sample] = []
            var remaining: [ScrapeGauges.Sample] = []
            for team in try store.teams() {
                let period = BudgetPeriod(rawValue: team.period) ?? .monthly
                let status = try store.budgetStatus(teamID: team.id, periodStart: period.start(containing: now), now: now)
                let labels = [("team", team.name), ("period", team.period)]
                spend.append(.init(labels, Money(nanoUSD: status.spentNano).usd))
                if let b = team.budgetNano {
                    budget.append(.init(labels, Money(nanoUSD: b).usd))
                    remaining.append(.init(labels, Money(nanoUSD: status.remainingNano ?? 0).usd))
                }
            }
            gauges.set(TriageMetrics.Name.teamSpend, spend)
            gauges.set(TriageMetrics.Name.teamBudget, budget)
            gauges.set(TriageMetrics.Name.teamRemaining, remaining)
        } catch {
            metrics.scrapeError()
        }
    }

    private func refreshCircuits() {
        do {
            var samples: [ScrapeGauges.Sample] = []
            for (key, json) in try store.circuitStates().sorted(by: { $0.key < $1.key }) {
                guard let breaker = try? JSONDecoder().decode(CircuitBreaker.self, from: Data(json.utf8)) else { continue }
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                let value: Double = switch breaker.state {
                case .closed: 0
                case .halfOpen: 1
                case .open: 2
                }
                samples.append(.init([("provider", parts.first ?? key), ("model", parts.count > 1 ? parts[1] : "")], value))
            }
            gauges.set(TriageMetrics.Name.circuit, samples)
        } catch {
            metrics.scrapeError()
        }
    }

    private func refreshReload() {
        do {
            let last = try store.lastFinishedConfigReload()
            gauges.set(TriageMetrics.Name.reloadSuccessful, last.map { [.init([], $0.outcome == .applied ? 1 : 0)] } ?? [])
            gauges.set(TriageMetrics.Name.reloadTimestamp,
                       last.flatMap(\.finishedAt).map { [.init([], $0.timeIntervalSince1970.rounded())] } ?? [])
        } catch {
            metrics.scrapeError()
        }
    }

    private func refreshShadowVerdicts() {
        do {
            let counts = try store.shadowVerdictTotals()
            storeCounters.update(TriageMetrics.Name.shadowVerdicts,
                                 counts.map { .init([("tier", $0.tier), ("verdict", $0.verdict)], Double($0.count)) })
        } catch {
            metrics.scrapeError()
        }
    }

    /// Sorts the registry's families by name and puts a `# HELP` line before each `# TYPE` line.
    static func withHelp(_ text: String, help: [String: String]) -> String {
        var families: [(name: String, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).split(separator: " ").first.map(String.init) ?? ""
                families.append((name, []))
                if let h = help[name] { families[families.count - 1].lines.append(Substring("# HELP \(name) \(h)")) }
            }
            if families.isEmpty { families.append(("", [])) }
            families[families.count - 1].lines.append(line)
        }
        return families.sorted { $0.name < $1.name }.flatMap(\.lines).joined(separator: "\n") + "\n"
    }
}
