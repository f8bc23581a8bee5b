import CoreMetrics
import Prometheus
import Synchronization

/// Gauges whose values are read at scrape time (from the store or the pool): each scrape sets
/// every series it found and destroys the series it no longer finds (a deleted team, a worker
/// that went away), so `/metrics` never shows a stale series.
final class ScrapeGauges: Sendable {
    private let factory: PrometheusMetricsFactory
    private let live = Mutex<[String: [[String]: CoreMetrics.Gauge]]>([:])

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
    }

    /// One sample: label pairs and a value.
    struct Sample: Sendable {
        var labels: [(String, String)]
        var value: Double

        init(_ labels: [(String, String)], _ value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    /// Sets the family `name` to exactly `samples`.
    func set(_ name: String, _ samples: [Sample]) {
        let factory = self.factory
        live.withLock { live in
            var family = live[name] ?? [:]
            var seen: Set<[String]> = []
            for s in samples {
                let key = s.labels.flatMap { [$0.0, $0.1] }
                seen.insert(key)
                let gauge = family[key] ?? CoreMetrics.Gauge(label: name, dimensions: s.labels, factory: factory)
                family[key] = gauge
                gauge.record(s.value)
            }
            for (key, gauge) in family where !seen.contains(key) {
                gauge.destroy()
                family[key] = nil
            }
            live[name] = family
        }
    }
}
