import Foundation
import Logging

/// What the text and JSON log handlers share: the merged metadata of an event, its timestamp and
/// the write to standard error.
enum LogEventParts {
    /// The handler's metadata, then the provider's, then the event's own (later ones win), plus
    /// `error.message` and `error.type` when the event carries an error.
    static func metadata(base: Logger.Metadata, provider: Logger.MetadataProvider?, event: LogEvent) -> Logger.Metadata {
        var all = base
        if let provided = provider?.get(), !provided.isEmpty { all.merge(provided) { _, new in new } }
        if let extra = event.metadata, !extra.isEmpty { all.merge(extra) { _, new in new } }
        if let error = event.error {
            all["error.message"] = .string("\(error)")
            all["error.type"] = .string(String(reflecting: type(of: error)))
        }
        return all
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

    /// Writes a line to standard error in one `write(2)`, so lines of concurrent loggers do not
    /// interleave (no stdio buffer, lock or flush on the way).
    static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let n = write(2, rest.baseAddress, rest.count)
                if n < 0 { if errno == EINTR { continue } else { return } }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }
}
