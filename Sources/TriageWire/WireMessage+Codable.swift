import TriageCore

extension WireMessage: Codable {
    enum Kind: String, Codable {
        case hello, request, sent, response, head, chunk, end, error, cancel, ping, pong, drain
    }

    enum Keys: String, CodingKey {
        case type, id, status, headers, data, seq, reason
        case inFlight = "in_flight"
        case capacity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(Kind.self, forKey: .type) {
        case .hello: self = .hello(try Hello(from: decoder))
        case .request: self = .request(try WireRequest(from: decoder))
        case .sent: self = .sent(id: try c.decode(String.self, forKey: .id))
        case .response: self = .response(try WireResponse(from: decoder))
        case .head:
            self = .head(id: try c.decode(String.self, forKey: .id), status: try c.decode(Int.self, forKey: .status),
                         headers: try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:])
        case .chunk: self = .chunk(id: try c.decode(String.self, forKey: .id), data: try c.decode(String.self, forKey: .data))
        case .end: self = .end(try WireEnd(from: decoder))
        case .error: self = .error(try WireErrorMessage(from: decoder))
        case .cancel: self = .cancel(id: try c.decode(String.self, forKey: .id))
        case .ping: self = .ping(seq: try c.decode(UInt64.self, forKey: .seq))
        case .pong:
            self = .pong(seq: try c.decode(UInt64.self, forKey: .seq), inFlight: try c.decode(Int.self, forKey: .inFlight),
                         capacity: try c.decode(Int.self, forKey: .capacity))
        case .drain: self = .drain(reason: try c.decodeIfPresent(String.self, forKey: .reason) ?? "")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .hello(let h):
            try c.encode(Kind.hello, forKey: .type)
            try h.encode(to: encoder)
        case .request(let r):
            try c.encode(Kind.request, forKey: .type)
            try r.encode(to: encoder)
        case .sent(let id):
            try c.encode(Kind.sent, forKey: .type)
            try c.encode(id, forKey: .id)
        case .response(let r):
            try c.encode(Kind.response, forKey: .type)
            try r.encode(to: encoder)
        case .head(let id, let status, let headers):
            try c.encode(Kind.head, forKey: .type)
            try c.encode(id, forKey: .id)
            try c.encode(status, forKey: .status)
            try c.encode(headers, forKey: .headers)
        case .chunk(let id, let data):
            try c.encode(Kind.chunk, forKey: .type)
            try c.encode(id, forKey: .id)
            try c.encode(data, forKey: .data)
        case .end(let e):
            try c.encode(Kind.end, forKey: .type)
            try e.encode(to: encoder)
        case .error(let e):
            try c.encode(Kind.error, forKey: .type)
            try e.encode(to: encoder)
        case .cancel(let id):
            try c.encode(Kind.cancel, forKey: .type)
            try c.encode(id, forKey: .id)
        case .ping(let seq):
            try c.encode(Kind.ping, forKey: .type)
            try c.encode(seq, forKey: .seq)
        case .pong(let seq, let inFlight, let capacity):
            try c.encode(Kind.pong, forKey: .type)
            try c.encode(seq, forKey: .seq)
            try c.encode(inFlight, forKey: .inFlight)
            try c.encode(capacity, forKey: .capacity)
        case .drain(let reason):
            try c.encode(Kind.drain, forKey: .type)
            try c.encode(reason, forKey: .reason)
        }
    }
}
