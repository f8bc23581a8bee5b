import Foundation

/// One settlement as a ``SettlementJournal`` keeps it: everything
/// ``Store/settle(_:_:periodStart:)`` needs to write it again, as one JSON line.
///
/// Dates are written as `Date` holds them (seconds since 2001-01-01, in Swift's shortest
/// round-trip form), so a replayed ledger row has exactly the `created_at` of the row the worker
/// may already have committed (which is how a replay tells the two apart): going through seconds
/// since 1970 could move the last bit.
///
/// A **checkpoint** is what an attempt in progress has cost so far (outcome `worker_lost`): its
/// prompt, written before the upstream call, then for a stream the prompt and the text generated up
/// to then, written again as the stream goes. It is dismissed once the attempt's real settlement
/// commits or is journaled. Only the last checkpoint of an attempt is ever charged, and only when
/// neither the ledger nor the journal holds a settlement of that attempt: its worker died during the
/// call, after the provider had billed the prompt and what it streamed. A checkpoint of nothing (no
/// prompt or completion tokens) withdraws the attempt's others: it ended with nothing to charge and
/// no ledger row (a judge call that got no answer).
public struct SettlementRecord: Sendable, Equatable {
    public var hold: ReservationHold
    public var entry: LedgerEntry
    public var periodStart: Date
    /// Whether this is an attempt's checkpoint rather than a settlement.
    public var checkpoint: Bool

    public init(hold: ReservationHold, entry: LedgerEntry, periodStart: Date, checkpoint: Bool = false) {
        self.hold = hold
        self.entry = entry
        self.periodStart = periodStart
        self.checkpoint = checkpoint
    }

    /// The record as one line of JSON, newline included.
    public var line: [UInt8] {
        var w = LineWriter()
        w.raw("{\"v\":1")
        w.field("request", entry.requestID)
        w.field("created", entry.createdAt.timeIntervalSinceReferenceDate)
        w.field("period", periodStart.timeIntervalSinceReferenceDate)
        w.field("team", entry.teamID)
        w.field("tier", entry.tier)
        w.field("model", entry.model)
        w.field("prompt", Int64(entry.promptTokens))
        w.field("completion", Int64(entry.completionTokens))
        w.raw(entry.usageEstimated ? ",\"estimated\":true" : ",\"estimated\":false")
        if entry.cachedTokens > 0 { w.field("cached", Int64(entry.cachedTokens)) }
        if entry.cacheWriteTokens > 0 { w.field("cache_write", Int64(entry.cacheWriteTokens)) }
        w.field("cost", entry.costNano)
        w.field("outcome", entry.outcome)
        w.field("key", entry.keyID)
        w.field("user", entry.endUser)
        w.field("budget_key", entry.budgetKeyID)
        switch hold {
        case .none: break
        case .row(let id): w.field("row", id)
        case .lease(let rowID, let key, let amount):
            w.field("lease_row", rowID)
            w.field("lease_key", key)
            w.field("lease_amount", amount)
        }
        if checkpoint { w.raw(",\"checkpoint\":true") }
        w.raw("}\n")
        return w.bytes
    }

    /// Reads a line written by ``line``; nil for anything else (a line cut short by a crash).
    public init?(line: some Collection<UInt8>) {
        guard let l = try? JSONDecoder().decode(Line.self, from: Data(line)), l.v == 1 else { return nil }
        let hold: ReservationHold
        if let row = l.row {
            hold = .row(row)
        } else if let row = l.leaseRow, let key = l.leaseKey, let amount = l.leaseAmount {
            hold = .lease(rowID: row, key: key, amountNano: amount)
        } else {
            hold = .none
        }
        self.init(hold: hold,
                  entry: LedgerEntry(teamID: l.team, requestID: l.request, createdAt: Date(timeIntervalSinceReferenceDate: l.created), tier: l.tier,
                                     model: l.model, promptTokens: l.prompt, completionTokens: l.completion, usageEstimated: l.estimated,
                                     costNano: l.cost, outcome: l.outcome, keyID: l.key, endUser: l.user, budgetKeyID: l.budgetKey,
                                     cachedTokens: l.cached ?? 0, cacheWriteTokens: l.cacheWrite ?? 0),
                  periodStart: Date(timeIntervalSinceReferenceDate: l.period), checkpoint: l.checkpoint ?? false)
    }

    private struct Line: Decodable {
        var v: Int
        var request: String
        var created: Double
        var period: Double
        var team: Int64?
        var tier: String?
        var model: String?
        var prompt: Int
        var completion: Int
        var estimated: Bool
        var cost: Int64
        var outcome: String
        var key: Int64?
        var user: String?
        var budgetKey: Int64?
        var row: Int64?
        var leaseRow: Int64?
        var leaseKey: String?
        var leaseAmount: Int64?
        var checkpoint: Bool?
        var cached: Int?
        var cacheWrite: Int?

        enum CodingKeys: String, CodingKey {
            case v, request, created, period, team, tier, model, prompt, completion, estimated, cost, outcome, key, user, row, checkpoint, cached
            case budgetKey = "budget_key", leaseRow = "lease_row", leaseKey = "lease_key", leaseAmount = "lease_amount", cacheWrite = "cache_write"
        }
    }
}

/// Builds one JSON object by hand: a settlement is written on the request path, where a
/// general-purpose encoder costs more than the write itself.
private struct LineWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(320) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func key(_ name: StaticString) {
        raw(",\"")
        raw(name)
        raw("\":")
    }

    mutating func field(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: Double) {
        key(name)
        bytes.append(contentsOf: value.description.utf8)
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        bytes.append(0x22)
        for b in value.utf8 {
            switch b {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hex[Int(b >> 4)])
                bytes.append(Self.hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
