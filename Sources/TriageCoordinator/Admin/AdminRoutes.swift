import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore
import TriageStore

/// The admin HTTP API under `/admin/`, guarded by the admin key: teams, keys, budgets, spend.
/// It does exactly what the `triage team`, `key` and `spend` commands do (both use ``TeamAdmin``).
struct AdminRoutes: Sendable {
    let admin: TeamAdmin
    /// The tiers a routing policy may name, and the body limit (a config reload replaces both).
    let live: LiveConfig
    let guardian: AdminGuard

    func register(on router: RouterGroup<TriageRequestContext>) {
        let group = router.group("admin")
        group.get("teams") { r, _ in await run(r) { () throws(TriageError) in try encode(admin.teams()) } }
        group.post("teams") { r, c in
            await run(r, status: 201) { (body: JSONValue) throws(TriageError) in
                guard let name = body["name"]?.stringValue else { throw .missingField("name") }
                return try encode(acting(r, c).createTeam(name: name, budgetUSD: try number(body, "budget_usd"),
                                                   period: body["period"]?.stringValue, softLimit: try number(body, "soft_limit"),
                                                   requestsPerMinute: try Self.limit(body, "rpm", of: "requests per minute") ?? nil,
                                                   tokensPerMinute: try Self.limit(body, "tpm", of: "tokens per minute") ?? nil,
                                                   maxConcurrent: try Self.limit(body, "max_concurrent", of: "requests in flight") ?? nil))
            }
        }
        group.get("teams/:name") { r, c in await run(r) { () throws(TriageError) in try encode(admin.team(c.parameters.get("name") ?? "")) } }
        group.patch("teams/:name") { r, c in
            await run(r) { (body: JSONValue) throws(TriageError) in
                let budget: Double?? = body["budget_usd"].map { v -> Double? in v == .null ? nil : v.doubleValue }
                if let b = body["budget_usd"], b != .null, b.doubleValue == nil { throw .invalidField("budget_usd", "expected a number or null") }
                let soft: Double?? = body["soft_limit"].map { v -> Double? in v == .null ? nil : v.doubleValue }
                return try encode(acting(r, c).updateTeam(c.parameters.get("name") ?? "", budgetUSD: budget,
                                                   period: body["period"]?.stringValue, softLimit: soft,
                                                   requestsPerMinute: try Self.limit(body, "rpm", of: "requests per minute"),
                                                   tokensPerMinute: try Self.limit(body, "tpm", of: "tokens per minute"),
                                                   maxConcurrent: try Self.limit(body, "max_concurrent", of: "requests in flight")))
            }
        }
        group.delete("teams/:name") { r, c in
            await run(r) { () throws(TriageError) in
                try acting(r, c).deleteTeam(c.parameters.get("name") ?? "")
                return .object(["deleted": .bool(true)])
            }
        }
        group.get("teams/:name/routing") { r, c in
            await run(r) { () throws(TriageError) in try encode(admin.routingPolicy(c.parameters.get("name") ?? "")) }
        }
        group.put("teams/:name/routing") { r, c in
            await run(r) { (body: JSONValue) throws(TriageError) in
                try encode(acting(r, c).setRoutingPolicy(c.parameters.get("name") ?? "", try Self.routingPolicy(body)))
            }
        }
        group.post("keys") { r, c in
            await run(r, status: 201) { (body: JSONValue) throws(TriageError) in
                guard let team = body["team"]?.stringValue else { throw .missingField("team") }
                if let e = body["expires"], e != .null, e.stringValue == nil { throw .invalidField("expires", "expected a string such as 30d or 2027-01-01") }
                return try encode(acting(r, c).createKey(team: team, name: body["name"]?.stringValue, expires: body["expires"]?.stringValue,
                                                         budgetUSD: try number(body, "budget_usd")))
            }
        }
        group.patch("keys/:id") { r, c in
            await run(r) { (body: JSONValue) throws(TriageError) in
                guard let b = body["budget_usd"] else { throw .missingField("budget_usd") }
                if b != .null, b.doubleValue == nil { throw .invalidField("budget_usd", "expected a number or null") }
                return try encode(acting(r, c).setKeyBudget(c.parameters.get("id") ?? "", budgetUSD: b == .null ? nil : b.doubleValue))
            }
        }
        group.post("keys/:id/rotate") { r, c in
            await run(r, status: 201) { (body: JSONValue) throws(TriageError) in
                for field in ["grace", "expires"] {
                    if let v = body[field], v != .null, v.stringValue == nil { throw .invalidField(field, "expected a string such as 24h or 90d") }
                }
                return try encode(acting(r, c).rotateKey(c.parameters.get("id") ?? "", grace: body["grace"]?.stringValue,
                                                         expires: body["expires"]?.stringValue))
            }
        }
        group.get("keys") { r, _ in await run(r) { () throws(TriageError) in try encode(admin.keys(team: r.uri.queryParameters.get("team"))) } }
        group.delete("keys/:id") { r, c in
            await run(r) { () throws(TriageError) in
                try acting(r, c).revokeKey(c.parameters.get("id") ?? "")
                return .object(["revoked": .bool(true)])
            }
        }
        group.get("audit") { r, _ in
            await run(r) { () throws(TriageError) in
                let q = r.uri.queryParameters
                return try encode(admin.audit(since: q.get("since"), target: q.get("team"),
                                              limit: try Self.limit(q, "expected a number of entries from 1 to 10000")))
            }
        }
        group.post("config/reload") { r, c in
            await run(r, status: 202) { () throws(TriageError) in try acting(r, c).requestConfigReload().json }
        }
        group.get("config/reloads/:generation") { r, c in
            await run(r) { () throws(TriageError) in
                guard let g = c.parameters.get("generation").flatMap(Int64.init) else {
                    throw .invalidField("generation", "expected a reload number")
                }
                return try admin.configReload(generation: g).json
            }
        }
        group.get("requests") { r, _ in
            await run(r) { () throws(TriageError) in
                let q = r.uri.queryParameters
                return try encode(admin.requests(team: q.get("team"), limit: try Self.limit(q, "expected 1 to 1000")))
            }
        }
        group.get("requests/:id") { r, c in await run(r) { () throws(TriageError) in try encode(admin.request(c.parameters.get("id") ?? "")) } }
        group.get("spend") { r, _ in
            await run(r) { () throws(TriageError) in
                let q = r.uri.queryParameters
                let rows = try admin.spend(team: q.get("team"), by: q.get("by"), since: q.get("since"))
                return .array(rows.map(TeamAdmin.json))
            }
        }
    }

    /// A routing policy from `{"dial", "dial_min", "dial_max", "max_tier"}` (absent or null: unset).
    static func routingPolicy(_ body: JSONValue) throws(TriageError) -> TeamRoutingPolicy {
        guard case .object(let fields) = body else { throw .invalidJSON("expected an object") }
        for k in fields.keys where !["dial", "dial_min", "dial_max", "max_tier"].contains(k) {
            throw .invalidField(k, "unknown field (expected dial, dial_min, dial_max, max_tier)")
        }
        func number(_ k: String) throws(TriageError) -> Double? {
            guard let v = fields[k], v != .null else { return nil }
            guard let d = v.doubleValue else { throw .invalidField(k, "expected a number or null") }
            return d
        }
        var tier: String?
        if let v = fields["max_tier"], v != .null {
            guard let t = v.stringValue else { throw .invalidField("max_tier", "expected a tier name or null") }
            tier = t
        }
        return TeamRoutingPolicy(dial: try number("dial"), dialMin: try number("dial_min"), dialMax: try number("dial_max"), maxTier: tier)
    }

    /// A query's `limit`: absent (nil) or a whole number (its range is checked by ``TeamAdmin``).
    private static func limit(_ query: Parameters, _ expected: String) throws(TriageError) -> Int? {
        guard let l = query.get("limit") else { return nil }
        guard let n = Int(l) else { throw .invalidField("limit", expected) }
        return n
    }

    /// A body's limit `key` (`rpm`, `tpm`, `max_concurrent`): absent (nil), null (`.some(nil)`, no
    /// limit) or a whole number of `unit`.
    private static func limit(_ body: JSONValue, _ key: String, of unit: String) throws(TriageError) -> Int?? {
        guard let v = body[key] else { return nil }
        if v == .null { return .some(nil) }
        guard let n = v.intValue else { throw .invalidField(key, "expected a whole number of \(unit) or null") }
        return .some(n)
    }

    private func number(_ body: JSONValue, _ key: String) throws(TriageError) -> Double? {
        guard let v = body[key], v != .null else { return nil }
        guard let d = v.doubleValue else { throw .invalidField(key, "expected a number") }
        return d
    }

    private func encode<T: Encodable>(_ value: T) throws(TriageError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        } catch {
            throw .internalError("\(error)")
        }
    }

    /// The administration acting for this request's caller, as the audit trail names it:
    /// `admin-api 10.0.0.5`, or `admin-api 10.0.0.5 (alice)` with an `x-triage-actor: alice` header
    /// (at most 64 printable characters; the admin key's holder says who they are).
    private func acting(_ request: Request, _ context: TriageRequestContext) -> TeamAdmin {
        var actor = "admin-api " + (context.channel.remoteAddress?.ipAddress ?? "unknown")
        if let said = request.headers[Self.actorHeader], case let name = String(said.prefix(64)),
           !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            actor += " (\(name))"
        }
        var acting = admin.acting(as: actor)
        acting.tiers = live.config.tiers.map(\.name)
        return acting
    }

    private static let actorHeader = HTTPField.Name("x-triage-actor")!

    private func run(_ request: Request, status: Int = 200, _ body: () throws(TriageError) -> JSONValue) async -> Response {
        do throws(TriageError) {
            try guardian.check(request.headers)
            return Self.respond(status, try body())
        } catch {
            return ErrorResponse.make(error)
        }
    }

    private func run(_ request: Request, status: Int = 200, _ body: (JSONValue) throws(TriageError) -> JSONValue) async -> Response {
        do throws(TriageError) {
            try guardian.check(request.headers)
            var buffer: ByteBuffer
            let maxBodyBytes = live.config.limits.maxBodyBytes
            do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch { throw TriageError.requestTooLarge(limit: maxBodyBytes) }
            let json = try JSONValue.parse(buffer.readableBytesView)
            _ = buffer.readBytes(length: 0)
            return Self.respond(status, try body(json))
        } catch {
            return ErrorResponse.make(error)
        }
    }

    static func respond(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
