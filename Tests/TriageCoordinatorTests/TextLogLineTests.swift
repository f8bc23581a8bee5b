import Foundation
import Logging
import Testing
@testable import TriageCoordinator

struct TextLogLineTests {
    @Test func oneLineWithSortedMetadataSourceAndMessage() throws {
        let sink = LogSink()
        var log = sink.logger(.text)
        log[metadataKey: "triage.worker"] = "w1"
        log.info("request", metadata: ["triage.tier": "simple", "n": .stringConvertible(3), "list": ["a", "b"]])
        log.debug("not at info")
        let lines = sink.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        // 2026-11-30T02:42:37.123Z info triage.test: list=[a, b] n=3 triage.tier=simple triage.worker=w1 [TriageCoordinatorTests] request
        let ts = String(line.prefix(24))
        #expect(ts.hasSuffix("Z") && ts.dropFirst(10).hasPrefix("T"), "\(line)")
        #expect(line.dropFirst(24) == " info triage.test: list=[a, b] n=3 triage.tier=simple triage.worker=w1 [TriageCoordinatorTests] request\n")
    }

    @Test func errorsAreNamedInTheMetadata() throws {
        struct Boom: Error {}
        let sink = LogSink()
        sink.logger(.text).error("failed", error: Boom())
        let line = try #require(sink.all.first)
        #expect(line.contains("error.message=Boom()"), "\(line)")
        #expect(line.contains("error.type=TriageCoordinatorTests.TextLogLineTests.(unknown context"), "\(line)")
    }

    @Test func keysAreScrubbedOnTheWayOut() throws {
        let sink = LogSink()
        let log = sink.logger(.text)
        log.warning("rejected \(RedactionTests.key)", metadata: ["error": "Authorization: Bearer \(RedactionTests.key)"])
        let line = try #require(sink.all.first)
        #expect(!line.contains(RedactionTests.key))
        #expect(line.contains(Redaction.mask))
    }

    @Test func timestampsAreRFC3339UTCInMilliseconds() {
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 1_790_000_000.25)) == "2026-09-21T14:13:20.250Z")
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 946_684_799.9995)) == "1999-12-31T23:59:59.999Z")
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
