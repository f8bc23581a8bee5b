import Foundation
import TriageCore

/// What one request came to, as the coordinator saw it finish: the input of the metrics and
/// of the one log line per request.
struct FinishedRequest: Sendable {
    var id: String
    /// The caller's team name, or nil (auth off, or refused before the team was known).
    var team: String?
    var tier: String?
    var model: String?
    var worker: String?
    var status: Int
    var stream: Bool
    var attempts: Int
    /// The failed attempts, from `x-triage-fallbacks`.
    var fallbacks: [Fallback]
    /// Time in the coordinator, from the request's arrival to its last byte.
    var duration: Duration
    /// Time spent upstream, when the worker reports it (`x-triage-upstream-ms`).
    var upstream: Duration?
    /// Time to the first streamed chunk, measured at the coordinator.
    var timeToFirstToken: Duration?
    var usage: Usage?
    var cost: Money?
    /// The OpenAI error code of a failed request.
    var errorCode: String?

    /// Triage's own share of the time: the coordinator's time less the upstream time, when known.
    var overhead: Duration? {
        upstream.map { max(duration - $0, .zero) }
    }

    /// The tokens the request used, for its team's tokens-per-minute limit: its usage when known;
    /// none when it failed at no cost and streamed nothing (refused, no worker, every attempt
    /// failed unbilled); nil when unknown (a client that left, a stream cut after it began), which
    /// keeps the estimate taken at admission.
    var tokensUsed: Int? {
        if let usage { return usage.totalTokens }
        if status >= 400, status != 499, timeToFirstToken == nil, (cost ?? .zero) == .zero { return 0 }
        return nil
    }

    /// `2xx`, `4xx`, `5xx`: the outcome label of `triage_requests_total`.
    var outcome: String { "\(status / 100)xx" }

    /// A request with the routing facts of a worker's `x-triage-*` headers.
    init(id: String, team: String?, status: Int, stream: Bool, duration: Duration, headers: [String: String] = [:]) {
        self.id = id
        self.team = team
        self.status = status
        self.stream = stream
        self.duration = duration
        tier = headers["x-triage-tier"].flatMap { $0.isEmpty ? nil : $0 }
        model = headers["x-triage-model"].flatMap { $0.isEmpty ? nil : $0 }
        worker = headers["x-triage-worker"]
        attempts = headers["x-triage-attempts"].flatMap(Int.init) ?? 0
        fallbacks = Fallback.parseList(headers["x-triage-fallbacks"] ?? "")
        upstream = headers["x-triage-upstream-ms"].flatMap(Double.init).map { .milliseconds($0) }
        cost = headers["x-triage-cost-usd"].flatMap(Money.init(decimalString:))
    }
}

/// One failed attempt of `x-triage-fallbacks`: `simple/gpt-4o-mini=server_error(503)`.
struct Fallback: Sendable, Equatable {
    var tier: String
    var model: String
    /// The failure kind: `server_error`, `rate_limited`, `timeout`, ...
    var reason: String
    var status: Int?

    /// Parses one entry; nil when it does not have the shape `tier/model=reason(status)`.
    init?(_ text: some StringProtocol) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let eq = text.lastIndex(of: "="), let slash = text[..<eq].firstIndex(of: "/") else { return nil }
        tier = String(text[..<slash])
        model = String(text[text.index(after: slash)..<eq])
        var rest = text[text.index(after: eq)...]
        status = nil
        if let open = rest.firstIndex(of: "("), rest.hasSuffix(")") {
            status = Int(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)])
            rest = rest[..<open]
        }
        reason = String(rest)
        guard !tier.isEmpty, !model.isEmpty, !reason.isEmpty else { return nil }
    }

    init(tier: String, model: String, reason: String, status: Int?) {
        self.tier = tier
        self.model = model
        self.reason = reason
        self.status = status
    }

    /// Parses a comma-separated `x-triage-fallbacks` value, skipping malformed entries.
    static func parseList(_ header: String) -> [Fallback] {
        header.split(separator: ",").compactMap(Fallback.init)
    }
}
