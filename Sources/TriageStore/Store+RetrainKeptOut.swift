import Foundation

/// The candidate the scheduled retrain last kept out: a fingerprint of what it was trained on and
/// the guardrail's verdict.
public struct RetrainKeptOut: Sendable, Equatable {
    /// The inputs, as the coordinator fingerprints them (labels, data files, active version, settings).
    public var inputs: String
    /// The verdict it logged (`kept v2: candidate APGR ...`).
    public var verdict: String
    public var recordedAt: Date

    public init(inputs: String, verdict: String, recordedAt: Date) {
        self.inputs = inputs
        self.verdict = verdict
        self.recordedAt = recordedAt
    }
}

extension Store {
    /// The last candidate kept out, nil when none is recorded.
    public func retrainKeptOut() throws(StoreError) -> RetrainKeptOut? {
        try locked("retrainKeptOut") { db throws(StoreError) in
            try db.queryFirst("SELECT inputs, verdict, recorded_at FROM retrain_kept_out WHERE id = 1", []) { r in
                RetrainKeptOut(inputs: r.text(0), verdict: r.text(1), recordedAt: r.date(2))
            }
        }
    }

    /// Records a kept-out candidate (replacing the previous one), or clears the record (`nil`)
    /// when a candidate was installed.
    public func setRetrainKeptOut(_ keptOut: RetrainKeptOut?) throws(StoreError) {
        try locked(writing: "setRetrainKeptOut") { db throws(StoreError) in
            guard let k = keptOut else {
                _ = try db.run("DELETE FROM retrain_kept_out")
                return
            }
            _ = try db.run("INSERT OR REPLACE INTO retrain_kept_out(id, inputs, verdict, recorded_at) VALUES (1, ?, ?, ?)",
                           [.text(k.inputs), .text(k.verdict), SQLiteValue(k.recordedAt)])
        }
    }
}
