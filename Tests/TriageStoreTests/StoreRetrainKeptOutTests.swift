import Foundation
import Testing
@testable import TriageStore

/// The scheduled retrain's record of the candidate it last kept out: one row, replaced, cleared,
/// and still there for the next process that opens the file.
@Suite struct StoreRetrainKeptOutTests {
    @Test func theRecordIsReplacedClearedAndOutlivesTheConnection() throws {
        try withStore { store, path throws in
            #expect(try store.retrainKeptOut() == nil)
            let t = Date(timeIntervalSince1970: 1_800_000_000.5)
            let first = RetrainKeptOut(inputs: "labels 1/1 0/0 0/0\nactive 1", verdict: "kept v1: candidate APGR 0.5", recordedAt: t)
            try store.setRetrainKeptOut(first)
            #expect(try store.retrainKeptOut() == first)
            let second = RetrainKeptOut(inputs: "labels 2/2 0/0 0/0\nactive 1", verdict: "kept v1: candidate accuracy 0.7", recordedAt: t + 60)
            try store.setRetrainKeptOut(second)
            #expect(try store.retrainKeptOut() == second)
            #expect(try store.read { db in try db.queryFirst("SELECT count(*) FROM retrain_kept_out") { $0.int(0) } } == 1)

            // A restarted coordinator opens the file anew and finds it.
            let reopened = try Store(path: path)
            defer { reopened.close() }
            #expect(try reopened.retrainKeptOut() == second)

            try store.setRetrainKeptOut(nil)
            #expect(try reopened.retrainKeptOut() == nil)
            try store.setRetrainKeptOut(nil)  // clearing twice is fine
            #expect(try store.retrainKeptOut() == nil)
        }
    }
}
