import CoreMetrics
import Prometheus
import Synchronization

/// Counters whose totals are kept in the store (so no process restart loses them): each scrape
/// reads the totals and adds what grew since the last scrape, so the exposed counter equals the
/// stored total and never goes backwards (`triage_shadow_verdicts_total`, written by workers).
final class StoreCounters: Sendable {
    private let factory: PrometheusMetricsFactory
    private let live = Mutex<[String: [[String]: Entry]]>([:])

    private struct Entry {
        var counter: CoreMetrics.Counter
        var total: Int64
    }

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
    }

    /// Brings the family `name` up to the stored totals (sample values).
    func update(_ name: String, _ totals: [ScrapeGauges.Sample]) {
        let factory = self.factory
        live.withLock { live in
            var family = live[name] ?? [:]
            for s in totals {
                let key = s.labels.flatMap { [$0.0, $0.1] }
                var entry = family[key] ?? Entry(counter: CoreMetrics.Counter(label: name, dimensions: s.labels, factory: factory), total: 0)
                let total = Int64(s.value)
                if total > entry.total {
                    entry.counter.increment(by: total - entry.total)
                    entry.total = total
                }
                family[key] = entry
            }
            live[name] = family
        }
    }
}
