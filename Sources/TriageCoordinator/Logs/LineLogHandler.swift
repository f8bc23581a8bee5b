import Foundation
import Glibc
import Logging

/// The swift-log handler of every Triage process: one line per event on standard error, as text
/// (the default) or as a JSON object (`--log-format json` or `TRIAGE_LOG_FORMAT=json`).
///
/// - text: `2026-11-20T10:00:00.123Z info triage.up: triage.status=200 triage.team=research [TriageCoordinator] request`,
///   swift-log's `StreamLogHandler` layout (metadata sorted by key, the source module in brackets,
///   then the message) with a UTC millisecond timestamp.
/// - json: `{"ts":"2026-11-20T10:00:00.123Z","level":"info","label":"triage.up","message":"request","metadata":{...}}`;
///   metadata values are strings, arrays or objects as swift-log holds them.
///
/// In both, the message and every metadata string pass through ``Redaction/scrub(_:)`` on the way
/// out, so a key that slipped into a message is still masked. A line costs a fraction of
/// `StreamLogHandler`'s, which read the time zone file and flushed a stdio stream per line, on the
/// path of every request the coordinator logs.
public struct LineLogHandler: LogHandler {
    /// How a line is written.
    public enum Format: String, Sendable {
        case text, json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - format: text or JSON lines.
    ///   - write: where each line goes (default standard error); it gets the line with its newline.
    public init(label: String, format: Format, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { _, new in new } }
        if let extra = event.metadata, !extra.isEmpty {
            // The usual case (the request line): only the event's own metadata; no copy to merge into.
            if all.isEmpty { all = extra } else { all.merge(extra) { _, new in new } }
        }
        if let error = event.error {
            all["error.message"] = .string("\(error)")
            all["error.type"] = .string(String(reflecting: type(of: error)))
        }
        let ts = Self.timestamp(Date())
        switch format {
        case .text: write(Self.textLine(ts: ts, label: label, event: event, metadata: all))
        case .json: write(Self.jsonLine(ts: ts, label: label, event: event, metadata: all))
        }
    }

    /// Writes a line to standard error in one `write(2)`, so lines of concurrent loggers do not
    /// interleave (no stdio buffer, lock or flush on the way).
    public static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let n = Glibc.write(2, rest.baseAddress, rest.count)
                if n < 0 { if errno == EINTR { continue } else { return } }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }

    /// RFC 3339 UTC with milliseconds, `2026-09-21T14:13:20.250Z`: no time zone file is read, no
    /// intermediate strings are made.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = min(Int((date.timeIntervalSince1970 - seconds) * 1000), 999)
        return String(unsafeUninitializedCapacity: 24) { out in
            var i = 0
            func put(_ value: Int, _ width: Int) {
                var v = value, d = width
                while d > 0 { d -= 1; out[i + d] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
                i += width
            }
            func sep(_ c: Unicode.Scalar) { out[i] = UInt8(ascii: c); i += 1 }
            put(Int(parts.tm_year) + 1900, 4); sep("-"); put(Int(parts.tm_mon) + 1, 2); sep("-"); put(Int(parts.tm_mday), 2)
            sep("T"); put(Int(parts.tm_hour), 2); sep(":"); put(Int(parts.tm_min), 2); sep(":"); put(Int(parts.tm_sec), 2)
            sep("."); put(ms, 3); sep("Z")
            return i
        }
    }
}
