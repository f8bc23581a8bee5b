import Foundation
import HTTPTypes

/// Keeps secrets out of logs: credentials in headers, and anything shaped like an API key or a
/// bearer token in free text (error messages may quote what a client sent).
public enum Redaction {
    /// What every redacted value becomes.
    public static let mask = "[redacted]"

    /// Header names whose values are credentials (compared case-insensitively).
    public static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie", "x-admin-key",
    ]

    /// The headers as a loggable map: credential headers masked, other values scrubbed.
    public static func headers(_ fields: HTTPFields) -> [String: String] {
        var out: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName
            out[name] = secretHeaders.contains(name) ? mask : scrub(field.value)
        }
        return out
    }

    /// The text with Triage API keys (`tri_<8 hex>_<48 hex>`), bearer/basic credentials and
    /// common provider key shapes (`sk-...`, `sk-ant-...`) masked.
    public static func scrub(_ text: String) -> String {
        guard text.contains("tri_") || text.contains("sk-") || text.range(of: "bearer", options: .caseInsensitive) != nil
                || text.range(of: "basic", options: .caseInsensitive) != nil else { return text }
        var out = text
        for pattern in patterns {
            out = pattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1" + mask)
        }
        return out
    }

    private nonisolated(unsafe) static let patterns: [NSRegularExpression] = [  // immutable after init; NSRegularExpression is thread-safe for matching
        #"()tri_[0-9A-Za-z]+_[0-9A-Za-z]+"#,
        #"()sk-[A-Za-z0-9_\-]{8,}"#,
        #"((?i:bearer|basic)\s+)[A-Za-z0-9._~+/=\-]+"#,
    ].map { try! NSRegularExpression(pattern: $0) }
}
