import Foundation
import Logging
import TriageCore

/// The coordinator's one structured line per request (`request` at info): request id, team,
/// tier, model, worker, attempts, status, fallbacks, time in the coordinator, upstream time
/// and overhead when the worker reports them, time to first token of streams, tokens and cost.
/// No header is ever logged, and every value goes through ``Redaction/scrub(_:)``.
enum RequestLogLine {
    static func metadata(_ r: FinishedRequest) -> Logger.Metadata {
        var m: Logger.Metadata = [
            "triage.request": .string(r.id),
            "triage.team": .string(r.team ?? "-"),
            "triage.tier": .string(r.tier ?? "-"),
            "triage.model": .string(r.model ?? "-"),
            "triage.attempts": .stringConvertible(r.attempts),
            "triage.status": .stringConvertible(r.status),
            "triage.stream": .stringConvertible(r.stream),
            "triage.latency_ms": .string(ms(r.duration)),
            "triage.cost_usd": .string(r.cost?.description ?? "0"),
        ]
        if let w = r.worker { m["triage.worker"] = .string(w) }
        if let u = r.upstream { m["triage.upstream_ms"] = .string(ms(u)) }
        if let o = r.overhead { m["triage.overhead_ms"] = .string(ms(o)) }
        if let t = r.timeToFirstToken { m["triage.ttft_ms"] = .string(ms(t)) }
        if let u = r.usage {
            m["triage.tokens_in"] = .stringConvertible(u.promptTokens)
            m["triage.tokens_out"] = .stringConvertible(u.completionTokens)
        }
        if !r.fallbacks.isEmpty {
            m["triage.fallbacks"] = .string(r.fallbacks.map { "\($0.tier)/\($0.model)=\($0.reason)" + ($0.status.map { "(\($0))" } ?? "") }
                .joined(separator: ", "))
        }
        if let e = r.errorCode { m["triage.error"] = .string(e) }
        return m.mapValues { v in
            if case .string(let s) = v { return .string(Redaction.scrub(s)) }
            return v
        }
    }

    static func ms(_ d: Duration) -> String {
        let v = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return v.fixed(1)
    }
}
