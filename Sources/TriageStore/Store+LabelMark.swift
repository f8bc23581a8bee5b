/// Where the labels logged for retraining stand: how many rows of each kind there are and the
/// newest of each. Two equal marks mean nothing was learned in between.
public struct LabelMark: Sendable, Equatable, CustomStringConvertible {
    public var misroutes: Int
    public var lastMisrouteID: Int64
    /// Finished shadow comparisons (a running one is no label yet).
    public var shadowVerdicts: Int
    public var lastShadowID: Int64
    public var feedback: Int
    public var lastFeedbackID: Int64

    public init(misroutes: Int, lastMisrouteID: Int64, shadowVerdicts: Int, lastShadowID: Int64, feedback: Int, lastFeedbackID: Int64) {
        self.misroutes = misroutes
        self.lastMisrouteID = lastMisrouteID
        self.shadowVerdicts = shadowVerdicts
        self.lastShadowID = lastShadowID
        self.feedback = feedback
        self.lastFeedbackID = lastFeedbackID
    }

    public var description: String {
        "misroutes \(misroutes), shadow verdicts \(shadowVerdicts), feedback \(feedback)"
    }
}

extension Store {
    /// The current ``LabelMark``, in one read.
    public func labelMark() throws(StoreError) -> LabelMark {
        try locked("labelMark") { db throws(StoreError) in
            func countAndLast(_ sql: String) throws(StoreError) -> (Int, Int64) {
                try db.queryFirst(sql) { ($0.int(0), $0.int64(1)) } ?? (0, 0)
            }
            let m = try countAndLast("SELECT count(*), coalesce(max(id), 0) FROM misroutes")
            let s = try countAndLast("SELECT count(*), coalesce(max(id), 0) FROM shadow_comparisons WHERE verdict IS NOT NULL")
            let f = try countAndLast("SELECT count(*), coalesce(max(id), 0) FROM feedback")
            return LabelMark(misroutes: m.0, lastMisrouteID: m.1, shadowVerdicts: s.0, lastShadowID: s.1, feedback: f.0, lastFeedbackID: f.1)
        }
    }
}
