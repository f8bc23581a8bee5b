import Foundation
import Logging
import TriageCore

/// The coordinator's one structured line per request (`request` at info): request id, team,
/// tier, model, worker, attempts, status, fallbacks, time in the coordinator, upstream time
/// and overhead when the worker reports them, time to first token of streams, tokens and cost.
/// No header is ever logged, and every value goes through ``Redaction/scrub(_:)``.
enum RequestLogLine {
    static func metadata(_ r: FinishedRequest) -> Logger.Metadata {
        // Built once, at its final size, with the strings that can hold client text scrubbed as
        // they go in (this runs for every request the coordinator serves).
        var m = Logger.Metadata(minimumCapacity: 16)
        m["triage.request"] = .string(r.id)
        m["triage.team"] = .string(scrub(r.team))
        m["triage.tier"] = .string(scrub(r.tier))
        m["triage.model"] = .string(scrub(r.model))
        m["triage.attempts"] = .stringConvertible(r.attempts)
        m["triage.status"] = .stringConvertible(r.status)
        m["triage.stream"] = .stringConvertible(r.stream)
        m["triage.latency_ms"] = .string(ms(r.duration))
        m["triage.cost_usd"] = .string(r.cost?.description ?? "0")
        if let w = r.worker { m["triage.worker"] = .string(Redaction.scrub(w)) }
        if let u = r.upstream { m["triage.upstream_ms"] = .string(ms(u)) }
        if let o = r.overhead { m["triage.overhead_ms"] = .string(ms(o)) }
        if let t = r.timeToFirstToken { m["triage.ttft_ms"] = .string(ms(t)) }
        if let u = r.usage {
            m["triage.tokens_in"] = .stringConvertible(u.promptTokens)
            m["triage.tokens_out"] = .stringConvertible(u.completionTokens)
        }
        if !r.fallbacks.isEmpty {
            m["triage.fallbacks"] = .string(Redaction.scrub(r.fallbacks.map { "\($0.tier)/\($0.model)=\($0.reason)" + ($0.status.map { "(\($0))" } ?? "") }
                .joined(separator: ", ")))
        }
        if let e = r.errorCode { m["triage.error"] = .string(Redaction.scrub(e)) }
        return m
    }

    private static func scrub(_ s: String?) -> String {
        s.map(Redaction.scrub) ?? "-"
    }

    static func ms(_ d: Duration) -> String {
        let v = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return v.fixed(1)
    }
}
