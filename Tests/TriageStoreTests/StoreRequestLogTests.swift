import Foundation
import Testing
@testable import TriageStore

@Suite struct StoreRequestLogTests {
    static let full = RequestLogEntry(
        id: "req-01HZX", createdAt: t0, teamID: 7, workerID: "worker-3", tier: "medium",
        model: "gpt-4o-mini", provider: "openai", reason: "code block + long prompt", stream: true,
        attempts: 3, attemptLog: #"[{"model":"a","status":429},{"model":"b","status":200}]"#,
        status: 200, errorType: "rate_limit_error", latencyMs: 1234.5, upstreamMs: 1100.25,
        promptTokens: 812, completionTokens: 96, usageEstimated: true, costNano: 9_223_372_036_854_775_807)

    @Test func everyFieldRoundTrips() throws {
        try withStore { store, _ throws in
            try store.logRequest(Self.full)
            #expect(try store.request(id: Self.full.id) == Self.full)
        }
    }

    @Test func nilsAndDefaultsRoundTrip() throws {
        try withStore { store, _ throws in
            let sparse = RequestLogEntry(id: "sparse", createdAt: t0, status: 502)
            try store.logRequest(sparse)
            let back = try store.request(id: "sparse")
            #expect(back == sparse)
            #expect(back?.teamID == nil && back?.latencyMs == nil && back?.costNano == 0)
            #expect(try store.request(id: "absent") == nil)
        }
    }

    @Test func quotesAndSQLInStringsAreStoredVerbatim() throws {
        try withStore { store, _ throws in
            let nasty = "'); DROP TABLE requests; -- \"quoted\" \\ 100% _ ?1 :name $x é 🚀 \u{0}tail"
            var entry = Self.full
            entry.id = nasty
            entry.reason = nasty
            entry.attemptLog = ""
            try store.logRequest(entry)
            #expect(try store.request(id: nasty) == entry)
            #expect(try store.request(id: "'); DROP TABLE requests; -- ") == nil)
            #expect(try store.requestCount() == 1)
        }
    }

    @Test func logRequestReplacesBySameID() throws {
        try withStore { store, _ throws in
            try store.logRequest(RequestLogEntry(id: "r", createdAt: t0, status: 0))
            var done = Self.full
            done.id = "r"
            try store.logRequest(done)
            #expect(try store.requestCount() == 1)
            #expect(try store.request(id: "r") == done)
        }
    }

    @Test func recentRequestsAreNewestFirstAndLimited() throws {
        try withStore { store, _ throws in
            for i in 0..<5 {
                try store.logRequest(RequestLogEntry(id: "r\(i)", createdAt: t0.addingTimeInterval(Double(i)), status: 200))
            }
            #expect(try store.recentRequests(limit: 3).map(\.id) == ["r4", "r3", "r2"])
            #expect(try store.recentRequests(limit: 10).count == 5)
            #expect(try store.recentRequests(limit: 0).isEmpty)
            #expect(try store.requestCount() == 5)
        }
    }

    @Test func recentRequestsOfOneTeam() throws {
        try withStore { store, _ throws in
            for i in 0..<6 {
                try store.logRequest(RequestLogEntry(id: "r\(i)", createdAt: t0.addingTimeInterval(Double(i)), teamID: Int64(i % 2),
                                                     status: 200))
            }
            #expect(try store.recentRequests(limit: 2, teamID: 1).map(\.id) == ["r5", "r3"])
            #expect(try store.recentRequests(limit: 10, teamID: 0).map(\.id) == ["r4", "r2", "r0"])
            #expect(try store.recentRequests(limit: 10, teamID: 9).isEmpty)
        }
    }

    @Test func moneySumsStayExact() throws {
        try withStore { store, _ throws in
            for i in 0..<10 {
                try store.logRequest(RequestLogEntry(id: "c\(i)", createdAt: t0, teamID: 1, status: 200,
                                                     costNano: 100_000_001))
            }
            let total = try store.requestLog().read { db in
                try db.queryFirst("SELECT sum(cost_nano) FROM requests WHERE team_id = ?", [.integer(1)]) { $0.int64(0) }
            }
            #expect(total == 1_000_000_010)
        }
    }
}
