import NIOCore
import TriageCore

/// A frame payload: a one-line JSON header, then (for `request`, `response` and `chunk`) a newline
/// and the body bytes verbatim.
///
/// ```
/// {"type":"response","id":"req_1","status":200,"headers":{...}}\n{"id":"chatcmpl-…","choices":[…]}
/// ```
/// The header is compact JSON, which never holds a raw newline, so the first newline ends it.
/// Headers are written and read directly (no `Codable`); bodies are neither escaped nor parsed
/// on the way, except a `request` body, which the worker parses once into the request it serves.
extension WireMessage {
    /// The payload bytes of this message.
    func framePayload() -> [UInt8] {
        var w = HeaderWriter()
        switch self {
        case .hello(let h):
            w.begin("hello")
            w.field("version", h.version)
            w.field("worker_id", h.workerID)
            w.field("pid", Int(h.pid))
            w.field("capacity", h.capacity)
            return w.end()
        case .request(let r):
            w.begin("request")
            w.field("id", r.id)
            w.key("caller")
            var caller = HeaderWriter()
            caller.open()
            if let t = r.caller.teamID { caller.field("team_id", Int(t)) }
            if let t = r.caller.team { caller.field("team", t) }
            if let k = r.caller.keyID { caller.field("key_id", Int(k)) }
            if let b = r.caller.budgetKeyID { caller.field("budget_key_id", Int(b)) }
            w.raw(caller.end())
            if let q = r.queuedMs { w.field("queued_ms", q) }
            if let d = r.dial { w.field("dial", d) }
            if let t = r.maxTier { w.field("max_tier", t) }
            var out = w.end()
            out.append(0x0A)
            if let bytes = r.bodyBytes { out.append(contentsOf: bytes) } else { JSONWriter.write(r.body, into: &out) }
            return out
        case .sent(let id):
            w.begin("sent")
            w.field("id", id)
            return w.end()
        case .response(let r):
            w.begin("response")
            w.field("id", r.id)
            w.field("status", r.status)
            w.field("headers", r.headers)
            if let u = r.usage { w.usage(u) }
            var out = w.end()
            out.append(0x0A)
            out.append(contentsOf: r.bodyBytes)
            return out
        case .head(let id, let status, let headers):
            w.begin("head")
            w.field("id", id)
            w.field("status", status)
            w.field("headers", headers)
            return w.end()
        case .chunk(let id, let data):
            w.begin("chunk")
            w.field("id", id)
            var out = w.end()
            out.append(0x0A)
            out.append(contentsOf: data.utf8)
            return out
        case .end(let e):
            w.begin("end")
            w.field("id", e.id)
            if let u = e.usage { w.usage(u) }
            w.field("cost_usd", e.costUSD)
            w.field("attempts", e.attempts)
            if let ms = e.upstreamMs { w.field("upstream_ms", ms) }
            return w.end()
        case .error(let e):
            w.begin("error")
            if let id = e.id { w.field("id", id) }
            w.field("status", e.status)
            w.key("error")
            var error = HeaderWriter()
            error.open()
            error.field("message", e.error.message)
            error.field("type", e.error.type)
            if let c = e.error.code { error.field("code", c) }
            if let p = e.error.param { error.field("param", p) }
            w.raw(error.end())
            if let h = e.headers { w.field("headers", h) }
            return w.end()
        case .cancel(let id):
            w.begin("cancel")
            w.field("id", id)
            return w.end()
        case .ping(let seq):
            w.begin("ping")
            w.field("seq", seq)
            return w.end()
        case .pong(let seq, let inFlight, let capacity):
            w.begin("pong")
            w.field("seq", seq)
            w.field("in_flight", inFlight)
            w.field("capacity", capacity)
            return w.end()
        case .drain(let reason):
            w.begin("drain")
            w.field("reason", reason)
            return w.end()
        case .restart(let reason):
            w.begin("restart")
            w.field("reason", reason)
            return w.end()
        }
    }

    /// Reads one frame payload.
    /// - Throws: ``WireCodecError/malformedMessage(_:)`` naming what is wrong.
    init(framePayload payload: ByteBuffer) throws(WireCodecError) {
        let (headerBytes, body): ([UInt8], [UInt8]?) = payload.withUnsafeReadableBytes { raw in
            guard let nl = raw.firstIndex(of: 0x0A) else { return (Array(raw), nil) }
            return (Array(raw[..<nl]), Array(raw[(nl + 1)...]))
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(headerBytes)
        } catch {
            throw .malformedMessage("not JSON (\(error.body.message))")
        }
        guard case .object(let header) = parsed else { throw .malformedMessage("not a JSON object") }
        let h = HeaderReader(fields: header)
        let type = try h.string("type")
        switch type {
        case "hello":
            self = .hello(Hello(version: try h.int("version"), workerID: try h.string("worker_id"),
                                pid: Int32(clamping: try h.int("pid")), capacity: try h.int("capacity")))
        case "request":
            guard let body else { throw .malformedMessage("a request without a body") }
            let json: JSONValue
            do { json = try JSONValue.parse(body) } catch { throw .malformedMessage("request body is not JSON (\(error.body.message))") }
            let c = try h.object("caller") ?? [:]
            let caller = HeaderReader(fields: c, path: "caller.")
            self = .request(WireRequest(id: try h.string("id"),
                                        caller: Caller(teamID: try caller.optionalInt("team_id").map(Int64.init), team: try caller.optionalString("team"),
                                                       keyID: try caller.optionalInt("key_id").map(Int64.init),
                                                       budgetKeyID: try caller.optionalInt("budget_key_id").map(Int64.init)),
                                        body: json, queuedMs: try h.optionalDouble("queued_ms"),
                                        dial: try h.optionalDouble("dial"), maxTier: try h.optionalString("max_tier")))
        case "sent": self = .sent(id: try h.string("id"))
        case "response":
            guard let body else { throw .malformedMessage("a response without a body") }
            self = .response(WireResponse(id: try h.string("id"), status: try h.int("status"), headers: try h.headers("headers") ?? [:],
                                          bodyBytes: body, usage: try h.usage("usage")))
        case "head":
            self = .head(id: try h.string("id"), status: try h.int("status"), headers: try h.headers("headers") ?? [:])
        case "chunk":
            self = .chunk(id: try h.string("id"), data: String(decoding: body ?? [], as: UTF8.self))
        case "end":
            self = .end(WireEnd(id: try h.string("id"), usage: try h.usage("usage"), costUSD: try h.string("cost_usd"), attempts: try h.int("attempts"),
                                upstreamMs: try h.optionalDouble("upstream_ms")))
        case "error":
            guard let e = try h.object("error") else { throw .malformedMessage("missing field 'error'") }
            let r = HeaderReader(fields: e, path: "error.")
            self = .error(WireErrorMessage(id: try h.optionalString("id"), status: try h.int("status"),
                                           error: OpenAIErrorBody(message: try r.string("message"), type: try r.string("type"),
                                                                  code: try r.optionalString("code"), param: try r.optionalString("param")),
                                           headers: try h.headers("headers")))
        case "cancel": self = .cancel(id: try h.string("id"))
        case "ping": self = .ping(seq: try h.uint64("seq"))
        case "pong": self = .pong(seq: try h.uint64("seq"), inFlight: try h.int("in_flight"), capacity: try h.int("capacity"))
        case "drain": self = .drain(reason: try h.optionalString("reason") ?? "")
        case "restart": self = .restart(reason: try h.optionalString("reason") ?? "")
        default: throw .malformedMessage("unknown type '\(type)'")
        }
    }
}

/// Writes one compact JSON object, field by field.
private struct HeaderWriter {
    private var out: [UInt8] = []
    private var first = true

    init() { out.reserveCapacity(160) }

    mutating func open() { out.append(UInt8(ascii: "{")) }

    mutating func begin(_ type: String) {
        open()
        field("type", type)
    }

    mutating func key(_ k: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: k.utf8)  // keys are ours: plain ASCII, nothing to escape
        out.append(contentsOf: "\":".utf8)
    }

    mutating func raw(_ bytes: [UInt8]) { out.append(contentsOf: bytes) }

    mutating func field(_ k: String, _ v: String) {
        key(k)
        JSONWriter.writeString(v, into: &out)
    }

    mutating func field(_ k: String, _ v: Int) {
        key(k)
        out.append(contentsOf: String(v).utf8)
    }

    mutating func field(_ k: String, _ v: UInt64) {
        key(k)
        out.append(contentsOf: String(v).utf8)
    }

    mutating func field(_ k: String, _ v: Bool) {
        key(k)
        out.append(contentsOf: (v ? "true" : "false").utf8)
    }

    mutating func field(_ k: String, _ v: Double) {
        key(k)
        JSONWriter.write(.double(v), into: &out)
    }

    mutating func field(_ k: String, _ v: [String: String]) {
        key(k)
        out.append(UInt8(ascii: "{"))
        var firstPair = true
        for (name, value) in v {
            if !firstPair { out.append(UInt8(ascii: ",")) }
            firstPair = false
            JSONWriter.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.writeString(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    mutating func usage(_ u: Usage) {
        key("usage")
        var usage = HeaderWriter()
        usage.open()
        usage.field("prompt_tokens", u.promptTokens)
        usage.field("completion_tokens", u.completionTokens)
        usage.field("estimated", u.estimated)
        if u.cachedTokens > 0 { usage.field("cached_tokens", u.cachedTokens) }
        if u.cacheWriteTokens > 0 { usage.field("cache_write_tokens", u.cacheWriteTokens) }
        raw(usage.end())
    }

    mutating func end() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Typed access to a header's fields, with errors that name the field.
private struct HeaderReader {
    let fields: [String: JSONValue]
    var path = ""

    private func missing(_ k: String) -> WireCodecError { .malformedMessage("missing field '\(path)\(k)'") }
    private func wrong(_ k: String) -> WireCodecError { .malformedMessage("wrong type at '\(path)\(k)'") }

    private func present(_ k: String) -> JSONValue? {
        guard let v = fields[k], v != .null else { return nil }
        return v
    }

    func string(_ k: String) throws(WireCodecError) -> String {
        guard let v = try optionalString(k) else { throw missing(k) }
        return v
    }

    func optionalString(_ k: String) throws(WireCodecError) -> String? {
        guard let v = present(k) else { return nil }
        guard case .string(let s) = v else { throw wrong(k) }
        return s
    }

    func int(_ k: String) throws(WireCodecError) -> Int {
        guard let v = try optionalInt(k) else { throw missing(k) }
        return v
    }

    func optionalInt(_ k: String) throws(WireCodecError) -> Int? {
        guard let v = present(k) else { return nil }
        guard let i = v.intValue else { throw wrong(k) }
        return i
    }

    func uint64(_ k: String) throws(WireCodecError) -> UInt64 {
        guard let v = present(k) else { throw missing(k) }
        switch v {
        case .int(let i) where i >= 0: return UInt64(i)
        case .double(let d): if let u = UInt64(exactly: d) { return u }
        default: break
        }
        throw wrong(k)
    }

    func optionalDouble(_ k: String) throws(WireCodecError) -> Double? {
        guard let v = present(k) else { return nil }
        guard let d = v.doubleValue else { throw wrong(k) }
        return d
    }

    func optionalBool(_ k: String) throws(WireCodecError) -> Bool? {
        guard let v = present(k) else { return nil }
        guard case .bool(let b) = v else { throw wrong(k) }
        return b
    }

    func object(_ k: String) throws(WireCodecError) -> [String: JSONValue]? {
        guard let v = present(k) else { return nil }
        guard case .object(let o) = v else { throw wrong(k) }
        return o
    }

    func usage(_ k: String) throws(WireCodecError) -> Usage? {
        guard let u = try object(k) else { return nil }
        let r = HeaderReader(fields: u, path: "\(path)\(k).")
        return Usage(promptTokens: try r.int("prompt_tokens"), completionTokens: try r.int("completion_tokens"),
                     estimated: try r.optionalBool("estimated") ?? false,
                     cachedTokens: try r.optionalInt("cached_tokens") ?? 0, cacheWriteTokens: try r.optionalInt("cache_write_tokens") ?? 0)
    }

    func headers(_ k: String) throws(WireCodecError) -> [String: String]? {
        guard let o = try object(k) else { return nil }
        var out: [String: String] = [:]
        out.reserveCapacity(o.count)
        for (name, value) in o {
            guard case .string(let s) = value else { throw wrong("\(k).\(name)") }
            out[name] = s
        }
        return out
    }
}
