import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line:
/// `{"ts":"2026-11-20T10:00:00.123Z","level":"info","label":"triage.up","message":"request","metadata":{...}}`.
///
/// Chosen with `--log-format json` or `TRIAGE_LOG_FORMAT=json`. Metadata values are strings,
/// arrays or objects as swift-log holds them; every string is passed through
/// ``Redaction/scrub(_:)`` on the way out, so a key that slipped into a message is still masked.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - write: where each line goes (default standard error); it gets the line with its newline.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = LogEventParts.metadata(base: metadata, provider: metadataProvider, event: event)
        var line = "{\"ts\":"
        Self.appendString(Self.timestamp(Date()), to: &line)
        line += ",\"level\":"
        Self.appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        Self.appendString(label, to: &line)
        line += ",\"message\":"
        Self.appendString(Redaction.scrub(event.message.description), to: &line)
        if !all.isEmpty {
            line += ",\"metadata\":"
            Self.append(.dictionary(all), to: &line)
        }
        line += "}\n"
        write(line)
    }

    /// Standard error, one `write(2)` per line, so lines of concurrent loggers do not interleave.
    public static let standardError: @Sendable (String) -> Void = LogEventParts.standardError

    private static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s):
            appendString(Redaction.scrub(s), to: &out)
        case .stringConvertible(let c):
            appendString(Redaction.scrub(c.description), to: &out)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += "," }
                append(v, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(dict[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string literal.
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String { LogEventParts.timestamp(date) }
}
