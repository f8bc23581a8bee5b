import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreLabelMarkTests {
    @Test func theMarkMovesWithEachKindOfLabelAndOnlyThen() throws {
        try withStore { store, _ throws in
            let t = Date(timeIntervalSince1970: 1_800_000_000)
            let empty = try store.labelMark()
            #expect(empty == LabelMark(misroutes: 0, lastMisrouteID: 0, shadowVerdicts: 0, lastShadowID: 0, feedback: 0, lastFeedbackID: 0))
            #expect(try store.labelMark() == empty, "reading changes nothing")
            try store.logMisroute(MisrouteRecord(requestID: "r1", createdAt: t, teamID: nil, queryHash: "h", queryText: nil, features: nil,
                                                 firstTier: "simple", finalTier: "medium", reason: "server_error", score: nil))
            let one = try store.labelMark()
            #expect(one.misroutes == 1 && one != empty)
            // A running comparison is no label yet; its verdict is.
            let id = try #require(try store.startShadow(ShadowRecord(requestID: "r2", createdAt: t, teamID: nil, tier: "simple", model: "m",
                                                                     topTier: "complex", topModel: "M", queryHash: "h2", queryText: nil,
                                                                     score: nil, reservedNano: 1), dayStart: t, limitNano: 10))
            #expect(try store.labelMark() == one)
            try store.finishShadow(id: id, verdict: "as_good", detail: nil, costNano: 1, at: t, ledger: [])
            let two = try store.labelMark()
            #expect(two.shadowVerdicts == 1 && two != one)
            try store.addFeedback(FeedbackRecord(requestID: "r1", teamID: nil, keyID: nil, createdAt: t, verdict: "bad", comment: nil))
            let three = try store.labelMark()
            #expect(three.feedback == 1 && three != two)
        }
    }
}
