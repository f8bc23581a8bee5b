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
        guard mayHoldSecret(text) else { return text }
        var out = text
        for pattern in patterns {
            out = pattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1" + mask)
        }
        return out
    }

    /// Whether `text` contains `tri_`, `sk-`, or `bearer`/`basic` in any case: one pass over its
    /// bytes (this runs on every logged value, and almost none holds a secret).
    static func mayHoldSecret(_ text: String) -> Bool {
        func scan(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            func at(_ i: Int, _ word: StaticString, caseInsensitive: Bool) -> Bool {
                let n = word.utf8CodeUnitCount
                guard i + n <= b.count else { return false }
                let w = word.utf8Start
                for j in 0..<n {
                    let c = caseInsensitive && b[i + j] >= 0x41 && b[i + j] <= 0x5A ? b[i + j] | 0x20 : b[i + j]
                    if c != w[j] { return false }
                }
                return true
            }
            for i in b.indices {
                switch b[i] {
                case UInt8(ascii: "t"): if at(i, "tri_", caseInsensitive: false) { return true }
                case UInt8(ascii: "s"): if at(i, "sk-", caseInsensitive: false) { return true }
                case UInt8(ascii: "b"), UInt8(ascii: "B"):
                    if at(i, "bearer", caseInsensitive: true) || at(i, "basic", caseInsensitive: true) { return true }
                default: continue
                }
            }
            return false
        }
        if let found = text.utf8.withContiguousStorageIfAvailable(scan) { return found }
        return Array(text.utf8).withUnsafeBufferPointer(scan)
    }

    private nonisolated(unsafe) static let patterns: [NSRegularExpression] = [  // immutable after init; NSRegularExpression is thread-safe for matching
        #"()tri_[0-9A-Za-z]+_[0-9A-Za-z]+"#,
        #"()sk-[A-Za-z0-9_\-]{8,}"#,
        #"((?i:bearer|basic)\s+)[A-Za-z0-9._~+/=\-]+"#,
    ].map { try! NSRegularExpression(pattern: $0) }
}
