import CoreMetrics
import Metrics
import Prometheus
import Synchronization
import TriageCore

/// The coordinator's Prometheus metrics, made through swift-metrics on a
/// `PrometheusMetricsFactory` and exposed at `GET /metrics`.
///
/// Request counters and histograms live here, in the coordinator: every request passes through
/// it, so a worker that restarts loses nothing. A coordinator restart resets them to zero, which
/// is ordinary Prometheus counter semantics (`rate()` and `increase()` handle resets). Spend,
/// budgets and circuit states are not counted here: they are gauges read from the store at
/// scrape time (``MetricsRoute``), so they survive any restart; worker gauges are read from the
/// pool at scrape time.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `triage_requests_total` | counter | tier, model, team, outcome (`2xx`, `4xx`, `5xx`) |
/// | `triage_requests_refused_total` | counter | team, reason (`budget_exceeded`, `rate_limit_exceeded`, `concurrency_limit_exceeded`) |
/// | `triage_climbs_total` | counter | reason, tier, model (the attempt that failed) |
/// | `triage_tokens_total` | counter | direction (`in`, `out`), tier, model, team |
/// | `triage_prompt_cache_tokens_total` | counter | kind (`read`, `write`), tier, model, team |
/// | `triage_cost_usd_total` | counter | tier, model, team |
/// | `triage_request_duration_seconds` | histogram | tier, stream |
/// | `triage_overhead_seconds` | histogram | tier (only when the worker reports upstream time) |
/// | `triage_upstream_duration_seconds` | histogram | tier, model (idem) |
/// | `triage_time_to_first_token_seconds` | histogram | tier, model (streams, at the coordinator) |
public final class TriageMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// Metrics of this process's coordinator, on the default registry, bootstrapped once into
    /// `MetricsSystem` (process-global, so libraries' swift-metrics land on the same page).
    /// Only a coordinator process touches this: workers never create a ``Coordinator``.
    public static let processWide: TriageMetrics = {
        let metrics = TriageMetrics(registry: PrometheusMetricsFactory.defaultRegistry)
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()

    /// Metrics on a registry of their own, not bootstrapped into `MetricsSystem` (tests, or a
    /// second coordinator in one process).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let latency: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                   .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                   .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]
        factory.defaultDurationHistogramBuckets = latency
        factory.durationHistogramBuckets[Name.overhead] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                                          .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                          .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)]
        self.factory = factory
    }

    /// Metric names, and their `# HELP` text (swift-metrics has no help of its own; ``MetricsRoute`` adds it).
    enum Name {
        static let requests = "triage_requests_total"
        static let refused = "triage_requests_refused_total"
        static let climbs = "triage_climbs_total"
        static let tokens = "triage_tokens_total"
        static let promptCache = "triage_prompt_cache_tokens_total"
        static let cost = "triage_cost_usd_total"
        static let duration = "triage_request_duration_seconds"
        static let overhead = "triage_overhead_seconds"
        static let upstream = "triage_upstream_duration_seconds"
        static let ttft = "triage_time_to_first_token_seconds"
        static let teamSpend = "triage_team_spend_usd"
        static let teamBudget = "triage_team_budget_usd"
        static let teamRemaining = "triage_team_budget_remaining_usd"
        static let workersConnected = "triage_workers_connected"
        static let workerInFlight = "triage_worker_in_flight"
        static let workerCapacity = "triage_worker_capacity"
        static let workerDraining = "triage_worker_draining"
        static let circuit = "triage_circuit_state"
        static let classifier = "triage_classifier_info"
        static let scrapeErrors = "triage_metrics_scrape_errors_total"
        static let shadowVerdicts = "triage_shadow_verdicts_total"
        static let reloadSuccessful = "triage_config_last_reload_successful"
        static let reloadTimestamp = "triage_config_last_reload_timestamp_seconds"

        static let help: [String: String] = [
            requests: "Requests answered by the coordinator, by tier, model, team and outcome (HTTP status class). Reset when the coordinator restarts.",
            refused: "Requests refused for a team's limits, by team and reason: budget_exceeded (spend budget), rate_limit_exceeded (rpm or tpm) or concurrency_limit_exceeded (max_concurrent).",
            climbs: "Failed attempts that made a request climb or retry, by failure reason and the tier/model that failed.",
            tokens: "Tokens of answered requests, direction=in (prompt) or out (completion).",
            promptCache: "Prompt tokens of answered requests that the provider read from its prompt cache (kind=read) or wrote to it (kind=write); part of triage_tokens_total's direction=in.",
            cost: "Cost charged for requests, in USD.",
            duration: "Time from a request's arrival at the coordinator to its last byte, in seconds.",
            overhead: "Time spent in Triage itself (coordinator time less upstream time), when the worker reports the upstream time.",
            upstream: "Time spent waiting on providers for a request (all attempts), as reported by the worker.",
            ttft: "Time from a streamed request's arrival to its first relayed chunk, measured at the coordinator.",
            teamSpend: "Spend of each team in its current budget period, in USD (read from the store at scrape time).",
            teamBudget: "Budget of each team with a limit, per period, in USD (from the store).",
            teamRemaining: "What is left of each limited team's budget in the current period, in USD (from the store).",
            workersConnected: "Workers the coordinator is connected to.",
            workerInFlight: "Requests in flight on each connected worker.",
            workerCapacity: "Concurrent requests each connected worker accepts.",
            workerDraining: "1 when a worker is draining (takes no new requests).",
            circuit: "Circuit breaker state per provider/model: 0 closed, 1 half-open, 2 open (from the store).",
            classifier: "The active classifier (value is always 1).",
            scrapeErrors: "Store reads that failed while rendering /metrics.",
            reloadSuccessful: "1 when the newest config reload that ended was applied, 0 when it failed (absent before the first; from the store).",
            reloadTimestamp: "When the newest config reload that ended, ended (Unix seconds; from the store).",
            shadowVerdicts: "Shadow comparisons with the top tier by the tier that answered and the judge's verdict (as_good, worse, better, unknown); totals kept in the store.",
        ]
    }

    /// The error codes of a refusal for a team's own limits (not a provider's 429, which climbs).
    static let refusals: Set<String> = ["budget_exceeded", "rate_limit_exceeded", "concurrency_limit_exceeded"]

    /// Records a finished request.
    func record(_ r: FinishedRequest) {
        let tier = r.tier ?? "none"
        let model = r.model ?? "none"
        let team = r.team ?? "none"
        counter(Name.requests, [("tier", tier), ("model", model), ("team", team), ("outcome", r.outcome)]).increment()
        if r.status == 429, let code = r.errorCode, Self.refusals.contains(code) {
            counter(Name.refused, [("team", team), ("reason", code)]).increment()
        }
        for f in r.fallbacks {
            counter(Name.climbs, [("reason", f.reason), ("tier", f.tier), ("model", f.model)]).increment()
        }
        if let usage = r.usage {
            counter(Name.tokens, [("direction", "in"), ("tier", tier), ("model", model), ("team", team)]).increment(by: max(usage.promptTokens, 0))
            counter(Name.tokens, [("direction", "out"), ("tier", tier), ("model", model), ("team", team)]).increment(by: max(usage.completionTokens, 0))
            if usage.cachedTokens > 0 {
                counter(Name.promptCache, [("kind", "read"), ("tier", tier), ("model", model), ("team", team)]).increment(by: usage.cachedTokens)
            }
            if usage.cacheWriteTokens > 0 {
                counter(Name.promptCache, [("kind", "write"), ("tier", tier), ("model", model), ("team", team)]).increment(by: usage.cacheWriteTokens)
            }
        }
        if let cost = r.cost, cost.nanoUSD > 0 {
            let dimensions = [("tier", tier), ("model", model), ("team", team)]
            handle(\.floatCounters, Name.cost, dimensions) {
                CoreMetrics.FloatingPointCounter(label: Name.cost, dimensions: dimensions, factory: factory)
            }.increment(by: cost.usd)
        }
        timer(Name.duration, [("tier", tier), ("stream", r.stream ? "true" : "false")]).record(duration: r.duration)
        if let upstream = r.upstream {
            timer(Name.upstream, [("tier", tier), ("model", model)]).record(duration: upstream)
        }
        if let overhead = r.overhead {
            timer(Name.overhead, [("tier", tier)]).record(duration: overhead)
        }
        if let ttft = r.timeToFirstToken {
            timer(Name.ttft, [("tier", tier), ("model", model)]).record(duration: ttft)
        }
    }

    /// A metric handle of one name and label values.
    private struct HandleKey: Hashable {
        var label: String
        var values: [String]
    }

    /// Handles made so far. Making one looks it up in the registry (a lock, label strings built
    /// and hashed, wrapper objects): about 6% of the coordinator's CPU per request when done for
    /// every metric of every request. A handle is made on first use only, so no series appears
    /// before something was recorded in it.
    private struct Handles {
        var counters: [HandleKey: CoreMetrics.Counter] = [:]
        var floatCounters: [HandleKey: CoreMetrics.FloatingPointCounter] = [:]
        var timers: [HandleKey: CoreMetrics.Timer] = [:]
    }

    private let handles = Mutex(Handles())

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        handle(\.counters, label, dimensions) { CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory) }
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        handle(\.timers, label, dimensions) { CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory) }
    }

    /// The handle of `label` with these label values, made by `make` the first time.
    private func handle<H: Sendable>(_ table: WritableKeyPath<Handles, [HandleKey: H]>, _ label: String, _ dimensions: [(String, String)],
                           make: () -> H) -> H {
        let key = HandleKey(label: label, values: dimensions.map(\.1))
        return handles.withLock { h in
            if let existing = h[keyPath: table][key] { return existing }
            let made = make()
            h[keyPath: table][key] = made
            return made
        }
    }

    /// Counts a store read that failed during a scrape.
    func scrapeError() {
        CoreMetrics.Counter(label: Name.scrapeErrors, factory: factory).increment()
    }
}
