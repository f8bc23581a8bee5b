import Foundation
import Logging
import Testing
@testable import TriageCoordinator

/// What both line formats share (the format-specific layouts are in `TextLogLineTests` and `JSONLogLineTests`).
struct LineLogHandlerTests {
    @Test(arguments: [LineLogHandler.Format.text, .json])
    func keysAreScrubbedOnTheWayOut(format: LineLogHandler.Format) throws {
        let sink = LogSink()
        sink.logger(format).warning("rejected \(RedactionTests.key)", metadata: ["error": "Authorization: Bearer \(RedactionTests.key)"])
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
