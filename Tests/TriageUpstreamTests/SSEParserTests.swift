import Testing
@testable import TriageUpstream

@Suite struct SSEParserTests {
    private static let stream = Array((
        ": comment at the start\r\n"
        + "event: delta\r\n"
        + "id: 7\r\n"
        + "data: {\"a\":1}\r\n"
        + "data:{\"b\":2}\r\n"
        + "\r\n"
        + "data: second\n"
        + ":keep-alive\n"
        + "\n"
        + "data:  two spaces\r"
        + "\r"
        + "data\n"
        + "\n"
        + "event: done\n"
        + "\n"  // no data: not dispatched
        + "data: [DONE]\n\n"
    ).utf8)

    private static let expected = [
        SSEEvent(event: "delta", data: "{\"a\":1}\n{\"b\":2}", id: "7"),
        SSEEvent(event: nil, data: "second", id: "7"),
        SSEEvent(event: nil, data: " two spaces", id: "7"),
        SSEEvent(event: nil, data: "", id: "7"),
        SSEEvent(event: nil, data: "[DONE]", id: "7"),
    ]

    @Test func parsesWholeStream() {
        var parser = SSEParser()
        var events = parser.feed(Self.stream)
        #expect(!parser.hasPendingData)
        events += parser.finish()
        #expect(events == Self.expected)
        #expect(!parser.hasPendingData)
    }

    @Test func everySplitPointGivesTheSameEvents() {
        for split in 0...Self.stream.count {
            var parser = SSEParser()
            var events = parser.feed(Self.stream[..<split])
            events += parser.feed(Self.stream[split...])
            events += parser.finish()
            #expect(events == Self.expected, "split at \(split)")
        }
    }

    @Test func byteByByteGivesTheSameEvents() {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in Self.stream { events += parser.feed(CollectionOfOne(byte)) }
        events += parser.finish()
        #expect(events == Self.expected)
    }

    @Test func crlfSplitAcrossChunksIsOneLineBreak() {
        var parser = SSEParser()
        var events = parser.feed(Array("data: a\r".utf8))
        #expect(events.isEmpty)
        events += parser.feed(Array("\n".utf8))  // same break as the \r: no blank line yet
        #expect(events.isEmpty)
        #expect(parser.hasPendingData)
        events += parser.feed(Array("\r".utf8))
        #expect(events == [SSEEvent(data: "a")])
        events += parser.feed(Array("\ndata: b\r\n\r\n".utf8))
        #expect(events == [SSEEvent(data: "a"), SSEEvent(data: "b")])
    }

    @Test func crAloneEndsLines() {
        var parser = SSEParser()
        let events = parser.feed(Array("data: a\rdata: b\r\rdata: c\r\r".utf8))
        #expect(events == [SSEEvent(data: "a\nb"), SSEEvent(data: "c")])
    }

    @Test func multiLineDataAndComments() {
        var parser = SSEParser()
        let events = parser.feed(Array(": hi\ndata: line 1\n: between\ndata: line 2\ndata:\n\n".utf8))
        #expect(events == [SSEEvent(data: "line 1\nline 2\n")])
    }

    @Test func commentsOnlyDispatchNothing() {
        var parser = SSEParser()
        #expect(parser.feed(Array(": ping\n\n: ping\n\n".utf8)).isEmpty)
        #expect(!parser.hasPendingData)
    }

    @Test func missingTrailingBlankLineLeavesPendingDataAndNoEvent() {
        var parser = SSEParser()
        let events = parser.feed(Array("data: {\"a\":1}\n\ndata: {\"cut".utf8))
        #expect(events == [SSEEvent(data: "{\"a\":1}")])
        #expect(parser.hasPendingData)
        #expect(parser.finish().isEmpty)
        #expect(parser.hasPendingData)

        var complete = SSEParser()
        _ = complete.feed(Array("data: x\n".utf8))  // line complete, event not
        #expect(complete.hasPendingData)
        #expect(complete.finish().isEmpty)
        #expect(complete.hasPendingData)
    }

    @Test func fieldsWithoutColonAndUnknownFields() {
        var parser = SSEParser()
        let events = parser.feed(Array("retry: 100\nfoo: bar\nevent\ndata: x\n\n".utf8))
        #expect(events == [SSEEvent(event: nil, data: "x")])
    }

    @Test func idPersistsAndNulIsIgnored() {
        var parser = SSEParser()
        let events = parser.feed(Array("id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}\ndata: c\n\nid\ndata: d\n\n".utf8))
        #expect(events.map(\.id) == ["1", "1", "1", nil])
    }

    @Test func leadingBOMIsStripped() {
        var parser = SSEParser()
        var events = parser.feed([0xEF, 0xBB])
        events += parser.feed(Array("\u{FEFF}".utf8).dropFirst(2) + Array("data: x\n\n".utf8))
        #expect(events == [SSEEvent(data: "x")])
    }

    @Test func oversizeLineIsSkippedAndItsEventDropped() {
        var parser = SSEParser(maxLineLength: 16)
        var events = parser.feed(Array("data: ".utf8))
        events += parser.feed(Array(repeating: UInt8(ascii: "x"), count: 10))
        events += parser.feed(Array(repeating: UInt8(ascii: "x"), count: 10))
        #expect(parser.hasPendingData)
        events += parser.feed(Array("yyyy\n\ndata: ok\n\n".utf8))
        #expect(events == [SSEEvent(data: "ok")])
        #expect(parser.oversizeEventsDropped == 1)
        #expect(!parser.hasPendingData)
    }

    @Test func oversizeEventIsDropped() {
        var parser = SSEParser(maxLineLength: 100, maxEventLength: 10)
        let events = parser.feed(Array("data: 123456\ndata: 123456\n\ndata: ok\n\n".utf8))
        #expect(events == [SSEEvent(data: "ok")])
        #expect(parser.oversizeEventsDropped == 1)
    }

    /// Found by fuzzing (`cluster/fuzz sse`): invalid UTF-8 bytes that fit the byte limit, whose
    /// repair (one 3-byte U+FFFD each) made a longer text: the limit holds for the text delivered.
    @Test func anEventWhoseRepairedTextOutgrowsTheLimitIsDropped() {
        var parser = SSEParser(maxLineLength: 100, maxEventLength: 24)
        var events = parser.feed([UInt8]("data: ".utf8) + [UInt8](repeating: 0xB0, count: 10) + [UInt8]("\n\n".utf8))
        #expect(events.isEmpty, "10 bad bytes repair to 30 bytes of text, over the 24-byte limit")
        #expect(parser.oversizeEventsDropped == 1)
        events = parser.feed([UInt8]("data: ".utf8) + [UInt8](repeating: 0xB0, count: 8) + [UInt8]("\n\n".utf8))
        #expect(events == [SSEEvent(data: String(repeating: "\u{FFFD}", count: 8))], "8 repair to exactly 24 bytes")
        #expect(events.allSatisfy { $0.data.utf8.count <= 24 })
    }
}
