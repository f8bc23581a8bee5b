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
}
