import Foundation
import HTTPTypes
import Synchronization
import TriageCore
import TriageStore
import TriageWire

/// Checks client API keys (`Authorization: Bearer` or `x-api-key`) against the store, where
/// keys are kept only as SHA-256 hashes, compared in constant time. Verified keys are cached
/// briefly (by the key as presented, so a repeat costs one dictionary lookup, no SHA-256 and no
/// store read), so revocation takes effect within `cacheSeconds`, as does a change of the team's
/// rate limits, read with the key. Unknown keys are never cached.
final class Authenticator: Sendable {
    /// Who sent a request, and the rate limits of their team.
    struct Identity: Sendable {
        var caller: Caller
        /// The team's limit, requests per minute; nil for none (or no team).
        var requestsPerMinute: Int?
        /// The team's limit, tokens per minute; nil for none (or no team).
        var tokensPerMinute: Int?
        /// The team's limit on requests in flight; nil for none (or no team).
        var maxConcurrent: Int?
    }

    private let store: Store
    private let required: Bool
    private let cacheTTL: Duration
    private let cache = Mutex<[String: (identity: Identity, until: ContinuousClock.Instant, expires: Date?)]>([:])

    init(store: Store, config: AuthConfig) {
        self.store = store
        self.required = config.required
        self.cacheTTL = .milliseconds(Int64(config.cacheSeconds * 1000))
    }

    /// The caller a request's headers identify.
    /// - Throws: `TriageError.unauthorized` for a missing (when required), malformed, unknown or revoked key.
    func authenticate(_ headers: HTTPFields) throws(TriageError) -> Caller {
        try identify(headers).caller
    }

    /// The caller a request's headers identify, with their team's rate limits.
    /// - Throws: `TriageError.unauthorized` for a missing (when required), malformed, unknown or revoked key.
    func identify(_ headers: HTTPFields) throws(TriageError) -> Identity {
        guard let presented = Self.presentedKey(headers) else {
            if required {
                throw .unauthorized("Missing API key. Send 'Authorization: Bearer <key>' or 'x-api-key: <key>' (create one with `triage key create --team NAME`).")
            }
            return Identity(caller: Caller())
        }
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[presented] }), hit.until > now {
            if let expires = hit.expires { try Self.refuseIfExpired(expires) }
            return hit.identity
        }
        guard let key = APIKey(parsing: presented) else { throw .unauthorized("Invalid API key.") }
        let hash = key.hash
        let record: APIKeyRecord?
        do { record = try store.key(prefix: key.prefix) } catch { throw .internalError("key lookup failed: \(error)") }
        guard let record, constantTimeEquals(record.hash, hash) else { throw .unauthorized("Invalid API key.") }
        guard record.revokedAt == nil else { throw .unauthorized("This API key has been revoked.") }
        if let expires = record.expiresAt { try Self.refuseIfExpired(expires) }
        let identity = Identity(caller: Caller(teamID: record.teamID, team: record.teamName, keyID: record.id, budgetKeyID: record.budgetKeyID),
                                requestsPerMinute: record.teamRequestsPerMinute, tokensPerMinute: record.teamTokensPerMinute,
                                maxConcurrent: record.teamMaxConcurrent)
        cache.withLock { c in
            if c.count > 10_000 { c.removeAll() }
            c[presented] = (identity, now + cacheTTL, record.expiresAt)
        }
        return identity
    }

    /// An expired key is refused at once, cached or not.
    private static func refuseIfExpired(_ expires: Date) throws(TriageError) {
        guard Date() < expires else {
            throw .unauthorized("This API key expired at \(ISO8601DateFormatter().string(from: expires)).")
        }
    }

    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let auth = headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return trimmed(parts[1]) }
        }
        if let k = headers[apiKeyHeader] { return trimmed(Substring(k)) }
        return nil
    }

    private static let apiKeyHeader = HTTPField.Name("x-api-key")!

    /// Without spaces and tabs at either end (what `trimmingCharacters(in: .whitespaces)` does for
    /// a header value, without Foundation).
    private static func trimmed(_ s: Substring) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = s.firstIndex(where: { !blank($0) }), let last = s.lastIndex(where: { !blank($0) }) else { return "" }
        return String(s[first...last])
    }
}

/// Guards `/admin/` with the admin key from the environment, held only as its hash.
struct AdminGuard: Sendable {
    private let hash: [UInt8]?
    private let envName: String

    init(config: AuthConfig, environment: [String: String]) {
        self.envName = config.adminKeyEnv
        self.hash = environment[config.adminKeyEnv].flatMap { $0.isEmpty ? nil : SHA256.hash(Array($0.utf8)) }
    }

    func check(_ headers: HTTPFields) throws(TriageError) {
        guard let hash else { throw .forbidden("The admin API is disabled: set \(envName) in the coordinator's environment.") }
        guard let presented = Authenticator.presentedKey(headers), constantTimeEquals(SHA256.hash(Array(presented.utf8)), hash) else {
            throw .unauthorized("A valid admin key is required for /admin/.")
        }
    }
}
