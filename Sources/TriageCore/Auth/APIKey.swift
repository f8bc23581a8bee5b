/// Client API keys: `tri_<prefix>_<secret>`. The prefix (8 hex digits) is stored in clear to find
/// the key's row; the whole key only as its SHA-256, compared in constant time.
public struct APIKey: Sendable, Equatable {
    public var prefix: String
    public var secret: String

    /// The full key, shown once when created.
    public var text: String { "tri_\(prefix)_\(secret)" }

    /// The stored hash of the full key.
    public var hash: [UInt8] { SHA256.hash(Array(text.utf8)) }

    /// A new random key.
    public static func generate() -> APIKey {
        var g = SystemRandomNumberGenerator()
        func hex(_ bytes: Int) -> String {
            (0..<bytes).map { _ in
                let b = UInt8.random(in: 0...255, using: &g)
                return b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16)
            }.joined()
        }
        return APIKey(prefix: hex(4), secret: hex(24))
    }

    /// Parses a presented key; nil when it does not have the key's shape.
    public init?(parsing text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "tri", parts[1].count == 8, parts[2].count == 48,
              parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit) else { return nil }
        self.init(prefix: String(parts[1]), secret: String(parts[2]))
    }

    public init(prefix: String, secret: String) {
        self.prefix = prefix
        self.secret = secret
    }
}
