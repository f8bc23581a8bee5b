import Foundation
import Logging

/// A swift-log handler that writes one human-readable line per event, the default format:
/// `2026-11-20T10:00:00.123Z info triage.up: triage.status=200 triage.team=research [TriageCoordinator] request`.
///
/// The layout is swift-log's `StreamLogHandler`'s (metadata sorted by key, then the source module
/// in brackets, then the message), with a UTC timestamp in milliseconds like ``JSONLogHandler``'s.
/// The message and every metadata value pass through ``Redaction/scrub(_:)``. It costs a fraction
/// of `StreamLogHandler`'s: that one reads the time zone file and flushes a stdio stream per line,
/// on the path of every request the coordinator logs.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - write: where each line goes (default standard error); it gets the line with its newline.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = TextLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// Standard error, one `write(2)` per line.
    public static let standardError: @Sendable (String) -> Void = LogEventParts.standardError

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = LogEventParts.metadata(base: metadata, provider: metadataProvider, event: event)
        var line = LogEventParts.timestamp(Date())
        line.reserveCapacity(128 + all.count * 32)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty { line += " "; line += label }
        line += ":"
        for key in all.keys.sorted() {
            line += " "
            line += key
            line += "="
            Self.append(all[key]!, to: &line)
        }
        line += " ["
        line += event.source
        line += "] "
        line += Redaction.scrub(event.message.description)
        line += "\n"
        write(line)
    }

    private static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s): out += Redaction.scrub(s)
        case .stringConvertible(let c): out += Redaction.scrub(c.description)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += ", " }
                append(v, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "["
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                out += key
                out += ": "
                append(dict[key]!, to: &out)
            }
            out += "]"
        }
    }
}
