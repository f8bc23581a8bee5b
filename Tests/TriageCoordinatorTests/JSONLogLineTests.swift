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
}
