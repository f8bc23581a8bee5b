import TriageCore

/// The version of the coordinator <-> worker protocol. A worker whose `hello` names another
/// version is refused.
public let wireProtocolVersion = 2

/// One message of the coordinator <-> worker protocol.
///
/// Every frame carries one message: a JSON object whose `type` field names the case (the
/// header), and for `request`, `response` and `chunk` a newline and then the body bytes as
/// they are (the request or answer JSON, the SSE event's data), never escaped or re-encoded:
///
/// | type      | direction            | fields                                              |
/// |-----------|----------------------|-----------------------------------------------------|
/// | `hello`   | worker → coordinator | `version`, `worker_id`, `pid`, `capacity`           |
/// | `request` | coordinator → worker | `id`, `caller`, `queued_ms`, `dial`, `max_tier`; body: the request JSON |
/// | `sent`    | worker → coordinator | `id`: the request has gone upstream (no retry now)  |
/// | `response`| worker → coordinator | `id`, `status`, `headers`, `usage`; body: the answer |
/// | `head`    | worker → coordinator | `id`, `status`, `headers` (a stream starts)         |
/// | `chunk`   | worker → coordinator | `id`; body: one SSE event's data                    |
/// | `end`     | worker → coordinator | `id`, `usage`, `cost_usd`, `attempts`, `upstream_ms` |
/// | `error`   | both                 | `id` (absent: the connection), `status`, `error`    |
/// | `cancel`  | coordinator → worker | `id`: the client went away                          |
/// | `ping`    | coordinator → worker | `seq`                                               |
/// | `pong`    | worker → coordinator | `seq`, `in_flight`, `capacity`                      |
/// | `drain`   | worker → coordinator | `reason`: send no more requests                     |
/// | `restart` | coordinator → worker | `reason`: drain, then exit to be started again (a config reload) |
///
/// Several requests are in flight on one connection at once; replies are matched by `id`.
public enum WireMessage: Sendable, Equatable {
    case hello(Hello)
    case request(WireRequest)
    case sent(id: String)
    case response(WireResponse)
    case head(id: String, status: Int, headers: [String: String])
    case chunk(id: String, data: String)
    case end(WireEnd)
    case error(WireErrorMessage)
    case cancel(id: String)
    case ping(seq: UInt64)
    case pong(seq: UInt64, inFlight: Int, capacity: Int)
    case drain(reason: String)
    case restart(reason: String)

    /// The request id the message belongs to, if any.
    public var requestID: String? {
        switch self {
        case .request(let r): r.id
        case .sent(let id), .head(let id, _, _), .chunk(let id, _), .cancel(let id): id
        case .response(let r): r.id
        case .end(let e): e.id
        case .error(let e): e.id
        case .hello, .ping, .pong, .drain, .restart: nil
        }
    }
}

/// A worker introduces itself.
public struct Hello: Codable, Sendable, Equatable {
    public var version: Int
    public var workerID: String
    public var pid: Int32
    public var capacity: Int

    public init(version: Int = wireProtocolVersion, workerID: String, pid: Int32, capacity: Int) {
        self.version = version
        self.workerID = workerID
        self.pid = pid
        self.capacity = capacity
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, capacity
        case workerID = "worker_id"
    }
}

/// Who sent a request (filled in by the coordinator after authentication).
public struct Caller: Codable, Sendable, Equatable {
    public var teamID: Int64?
    public var team: String?
    public var keyID: Int64?
    /// The key whose own budget applies to the request besides the team's (the caller's key, or
    /// the key it was rotated from); nil when the key has no budget.
    public var budgetKeyID: Int64?

    public init(teamID: Int64? = nil, team: String? = nil, keyID: Int64? = nil, budgetKeyID: Int64? = nil) {
        self.teamID = teamID
        self.team = team
        self.keyID = keyID
        self.budgetKeyID = budgetKeyID
    }

    enum CodingKeys: String, CodingKey {
        case team
        case teamID = "team_id"
        case keyID = "key_id"
        case budgetKeyID = "budget_key_id"
    }
}

/// A chat request for a worker to serve.
public struct WireRequest: Sendable, Equatable {
    public var id: String
    public var caller: Caller
    /// The client's chat-completions body, as sent.
    public var body: JSONValue
    /// Seconds the client waited in the coordinator before this was sent (for the log).
    public var queuedMs: Double?
    /// `body` exactly as the client sent it (already checked to be that JSON): written to the
    /// wire verbatim instead of encoding `body` again. Nil on the receiving side.
    public var bodyBytes: [UInt8]?
    /// The request's `x-triage-dial` (checked to be in [0, 1]), header field `dial`.
    public var dial: Double?
    /// The request's `x-triage-max-tier` (checked to name a tier), header field `max_tier`.
    public var maxTier: String?

    public init(id: String, caller: Caller, body: JSONValue, queuedMs: Double? = nil, bodyBytes: [UInt8]? = nil,
                dial: Double? = nil, maxTier: String? = nil) {
        self.id = id
        self.caller = caller
        self.body = body
        self.queuedMs = queuedMs
        self.bodyBytes = bodyBytes
        self.dial = dial
        self.maxTier = maxTier
    }

    /// The end user the body names in OpenAI's `user` field, for the ledger.
    public var endUser: String? { body["user"]?.stringValue }

    /// Equal when id, caller, body, queue time and routing controls are (`bodyBytes` is only a way of sending `body`).
    public static func == (a: WireRequest, b: WireRequest) -> Bool {
        a.id == b.id && a.caller == b.caller && a.body == b.body && a.queuedMs == b.queuedMs && a.dial == b.dial && a.maxTier == b.maxTier
    }
}

/// A complete non-stream answer. Its body travels as JSON bytes, passed through unparsed.
public struct WireResponse: Sendable, Equatable {
    public var id: String
    public var status: Int
    public var headers: [String: String]
    /// The answer's JSON, as bytes.
    public var bodyBytes: [UInt8]
    /// The usage charged for the answer, so the coordinator need not parse the body for it.
    public var usage: Usage?

    /// The answer, parsed (`null` if the bytes are not JSON).
    public var body: JSONValue { (try? JSONValue.parse(bodyBytes)) ?? .null }

    public init(id: String, status: Int, headers: [String: String], body: JSONValue, usage: Usage? = nil) {
        self.init(id: id, status: status, headers: headers, bodyBytes: body.encoded(), usage: usage)
    }

    /// - Parameter bodyBytes: the answer's JSON bytes, sent as they are.
    public init(id: String, status: Int, headers: [String: String], bodyBytes: [UInt8], usage: Usage? = nil) {
        self.id = id
        self.status = status
        self.headers = headers
        self.bodyBytes = bodyBytes
        self.usage = usage
    }
}

/// The end of a stream.
public struct WireEnd: Codable, Sendable, Equatable {
    public var id: String
    public var usage: Usage?
    public var costUSD: String
    public var attempts: Int
    /// Milliseconds spent upstream over all attempts (optional: older workers omit it).
    public var upstreamMs: Double?

    public init(id: String, usage: Usage?, costUSD: String, attempts: Int, upstreamMs: Double? = nil) {
        self.id = id
        self.usage = usage
        self.costUSD = costUSD
        self.attempts = attempts
        self.upstreamMs = upstreamMs
    }

    enum CodingKeys: String, CodingKey {
        case id, usage, attempts
        case costUSD = "cost_usd"
        case upstreamMs = "upstream_ms"
    }
}

/// An error, for one request (`id`) or for the whole connection (`id` absent).
public struct WireErrorMessage: Codable, Sendable, Equatable {
    public var id: String?
    public var status: Int
    public var error: OpenAIErrorBody
    /// Extra response headers (routing headers of the failed attempts).
    public var headers: [String: String]?

    public init(id: String?, status: Int, error: OpenAIErrorBody, headers: [String: String]? = nil) {
        self.id = id
        self.status = status
        self.error = error
        self.headers = headers
    }
}
