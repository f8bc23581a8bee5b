import TriageUpstream

/// Fuzzes the `text/event-stream` parser that reads every streamed upstream answer.
///
/// Input: byte 0 picks a chunk size (1...32 bytes) and byte 1 the parser's line limit
/// (16...4111 bytes, so the oversize paths are reached); the rest is the body.
/// Checked: no crash or leak; the events do not depend on how the body was split into reads
/// (whole, in chunks, byte by byte); `finish()` returns nothing; no event outgrows the limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let chunk = Int(input[0] % 32) + 1
    let maxLine = 16 + Int(input[1]) * 16
    let body = Array(input.dropFirst(2))

    func parse(splitEvery step: Int) -> (events: [SSEEvent], pending: Bool, dropped: Int) {
        var parser = SSEParser(maxLineLength: maxLine, maxEventLength: maxLine * 4)
        var events: [SSEEvent] = []
        var start = 0
        while start < body.count {
            let end = min(start + step, body.count)
            events += parser.feed(body[start..<end])
            start = end
        }
        let pending = parser.hasPendingData
        if !parser.finish().isEmpty { fatalError("finish() returned events") }
        if parser.hasPendingData != pending { fatalError("finish() changed hasPendingData") }
        return (events, pending, parser.oversizeEventsDropped)
    }

    let whole = parse(splitEvery: max(body.count, 1))
    let chunked = parse(splitEvery: chunk)
    let bytewise = parse(splitEvery: 1)
    for other in [chunked, bytewise] {
        if other.events != whole.events || other.pending != whole.pending || other.dropped != whole.dropped {
            fatalError("events depend on the read size: \(whole) vs \(other)")
        }
    }
    for event in whole.events where event.data.utf8.count > maxLine * 4 {
        fatalError("an event of \(event.data.utf8.count) bytes passed the \(maxLine * 4)-byte limit")
    }
    return 0
}
