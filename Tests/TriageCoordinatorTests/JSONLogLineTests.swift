import Foundation
import Logging
import Testing
import TriageCore
@testable import TriageCoordinator

struct JSONLogLineTests {
    @Test func oneJSONObjectPerLine() throws {
        let sink = LogSink()
        var log = sink.logger(.json)
        log[metadataKey: "triage.worker"] = "w1"
        log.info("request", metadata: ["triage.tier": "simple", "n": .stringConvertible(3), "list": ["a", "b"],
                                       "quote": "say \"hi\"\nbye"])
        log.debug("not at info")
        let lines = sink.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let json = try JSONValue.parse(Array(line.utf8))
        #expect(json["level"]?.stringValue == "info")
        #expect(json["label"]?.stringValue == "triage.test")
        #expect(json["message"]?.stringValue == "request")
        #expect(json["ts"]?.stringValue?.count == 24)
        #expect(json["metadata"]?["triage.tier"]?.stringValue == "simple")
        #expect(json["metadata"]?["triage.worker"]?.stringValue == "w1")
        #expect(json["metadata"]?["n"]?.stringValue == "3")
        #expect(json["metadata"]?["list"]?.arrayValue?.count == 2)
        #expect(json["metadata"]?["quote"]?.stringValue == "say \"hi\"\nbye")
    }

    @Test func keysAreScrubbedOnTheWayOut() throws {
        let sink = LogSink()
        let log = sink.logger(.json)
        log.warning("rejected \(RedactionTests.key)", metadata: ["error": "Authorization: Bearer \(RedactionTests.key)"])
        let line = try #require(sink.all.first)
        #expect(!line.contains(RedactionTests.key))
        #expect(line.contains(Redaction.mask))
    }

    @Test func timestampsAreRFC3339UTC() {
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 1_790_000_000.25)) == "2026-09-21T14:13:20.250Z")
    }
}
