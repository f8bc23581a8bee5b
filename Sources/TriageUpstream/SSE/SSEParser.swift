/// An incremental parser of `text/event-stream` bodies (WHATWG HTML, "Server-sent events",
/// section "Interpreting an event stream"). Pure: it does no I/O.
///
/// Feed it the body's bytes in chunks of any size; it returns the events completed by
/// each chunk. Lines may end with `\n`, `\r\n` or `\r`, and a `\r` that ends one chunk
/// followed by a `\n` that starts the next is a single line break.
///
/// ```
/// event: delta\r\n        -> event type "delta"
/// data: {"a":1}\r\n       -> data line (one leading space stripped)
/// data: {"b":2}\r\n       -> joined with "\n"
/// : keep-alive\r\n        -> comment, ignored
/// \r\n                    -> blank line: dispatch SSEEvent(event: "delta", data: "{\"a\":1}\n{\"b\":2}")
/// ```
///
/// Lines longer than ``maxLineLength`` are not buffered: the rest of such a line is
/// skipped, the event it belongs to is dropped when its blank line arrives, and
/// ``oversizeEventsDropped`` counts it. Events whose joined data would exceed
/// ``maxEventLength`` are dropped the same way, also when it only exceeds it once invalid UTF-8
/// is repaired (each bad byte becomes a 3-byte U+FFFD).
public struct SSEParser {
    /// The longest line, in bytes without its line break, that the parser buffers.
    public let maxLineLength: Int
    /// The largest event data, in bytes, that the parser buffers.
    public let maxEventLength: Int
    /// How many events were dropped because one of their lines or their data was too long.
    public private(set) var oversizeEventsDropped: Int = 0

    private var line: [UInt8] = []
    /// The rest of the current line is being skipped because it was too long.
    private var skippingLine = false
    /// The last byte seen was a `\r`, so a `\n` that follows is part of the same break.
    private var lastWasCR = false
    /// No line has been completed yet (a UTF-8 BOM is stripped from the first line).
    private var atStreamStart = true

    private var data: [UInt8] = []
    private var eventType: String = ""
    private var lastEventID: String = ""
    /// A field line was seen since the last blank line.
    private var blockHasFields = false
    /// The current event lost a line or data to the size limits.
    private var blockOversize = false
    /// Set by ``finish()``: whether an incomplete event was discarded.
    private var discardedAtFinish = false

    /// Creates a parser.
    /// - Parameters:
    ///   - maxLineLength: The longest line buffered, in bytes; 4 MiB by default.
    ///   - maxEventLength: The largest event data buffered, in bytes; 16 MiB by default.
    public init(maxLineLength: Int = 4 << 20, maxEventLength: Int = 16 << 20) {
        self.maxLineLength = maxLineLength
        self.maxEventLength = maxEventLength
    }

    /// Whether the input so far ends inside an event: a partial line, or field lines
    /// not yet followed by a blank line. After ``finish()`` it tells whether an
    /// incomplete event was discarded, i.e. the stream was cut mid-event.
    public var hasPendingData: Bool {
        discardedAtFinish || !line.isEmpty || skippingLine || blockHasFields
    }

    /// Parses a chunk of the stream.
    /// - Parameter bytes: The next bytes of the body, split anywhere.
    /// - Returns: The events completed by this chunk, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.scan(buffer, into: &events)
        }
        if done == nil {
            Array(bytes).withUnsafeBufferPointer { self.scan($0, into: &events) }
        }
        return events
    }

    /// Ends the stream. Per the spec an incomplete event (no blank line after it) is
    /// discarded, so this returns no event for it; ``hasPendingData`` then tells whether
    /// one was discarded. The parser is reset for a new stream afterwards, except for
    /// ``hasPendingData`` and ``oversizeEventsDropped``.
    /// - Returns: The events still to dispatch (always empty: every complete event was
    ///   already returned by ``feed(_:)``).
    public mutating func finish() -> [SSEEvent] {
        let pending = hasPendingData
        line.removeAll()
        skippingLine = false
        lastWasCR = false
        atStreamStart = true
        data.removeAll()
        eventType = ""
        lastEventID = ""
        blockHasFields = false
        blockOversize = false
        discardedAtFinish = pending
        return []
    }

    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard !buffer.isEmpty else { return }
        discardedAtFinish = false
        var start = 0
        if lastWasCR {
            lastWasCR = false
            if buffer[0] == UInt8(ascii: "\n") { start = 1 }
        }
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                append(UnsafeBufferPointer(rebasing: buffer[start..<index]))
                endLine(into: &events)
                if byte == UInt8(ascii: "\r") {
                    if index + 1 < buffer.count {
                        if buffer[index + 1] == UInt8(ascii: "\n") { index += 1 }
                    } else {
                        lastWasCR = true
                    }
                }
                index += 1
                start = index
            } else {
                index += 1
            }
        }
        append(UnsafeBufferPointer(rebasing: buffer[start..<buffer.count]))
    }

    /// Adds bytes to the current line, or starts skipping it when it grows too long.
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty, !skippingLine else { return }
        if line.count + bytes.count > maxLineLength {
            line.removeAll()
            skippingLine = true
            blockOversize = true
            blockHasFields = true
            return
        }
        line.append(contentsOf: bytes)
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer {
            line.removeAll(keepingCapacity: line.count <= 64 * 1024)
            skippingLine = false
            atStreamStart = false
        }
        if skippingLine { return }
        var fieldStart = 0
        if atStreamStart, line.starts(with: [0xEF, 0xBB, 0xBF]) { fieldStart = 3 }
        if fieldStart == line.count {
            dispatch(into: &events)
            return
        }
        if line[fieldStart] == UInt8(ascii: ":") { return }  // comment
        blockHasFields = true
        let colon = line[fieldStart...].firstIndex(of: UInt8(ascii: ":"))
        let name = line[fieldStart..<(colon ?? line.count)]
        var valueStart = line.count
        if let colon {
            valueStart = colon + 1
            if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        }
        let value = line[valueStart...]
        if name.elementsEqual("data".utf8) {
            if data.count + value.count + 1 > maxEventLength {
                blockOversize = true
            } else if !blockOversize {
                data.append(contentsOf: value)
                data.append(UInt8(ascii: "\n"))
            }
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        }
        // "retry" and unknown fields are ignored.
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            data.removeAll(keepingCapacity: data.count <= 64 * 1024)
            eventType = ""
            blockHasFields = false
            blockOversize = false
        }
        if blockOversize {
            oversizeEventsDropped += 1
            return
        }
        guard !data.isEmpty else { return }
        data.removeLast()  // the "\n" after the last data line
        let text = String(decoding: data, as: UTF8.self)
        // Invalid UTF-8 is repaired with U+FFFD (3 bytes for each bad byte): the text may outgrow
        // the bytes that were counted against the limit.
        if text.utf8.count > maxEventLength {
            oversizeEventsDropped += 1
            return
        }
        events.append(SSEEvent(
            event: eventType.isEmpty ? nil : eventType,
            data: text,
            id: lastEventID.isEmpty ? nil : lastEventID))
    }
}
