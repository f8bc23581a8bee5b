import TriageCore

/// One upstream attempt of a request, for headers and the request log.
struct AttemptRecord: Codable, Sendable {
    var tier: String
    var model: String
    /// `ok`, or the failure kind (`server_error`, `timeout`, ...).
    var outcome: String
    var status: Int?
    var ms: Double
    var message: String?
    /// The provider's id for the call (``AttemptWatchdog/providerRequestID``), when it gave one.
    var providerRequestID: String?

    /// `simple/gpt-4o-mini=server_error(503)` for the `x-triage-fallbacks` header.
    var summary: String {
        "\(tier)/\(model)=\(outcome)" + (status.map { "(\($0))" } ?? "")
    }
}

extension [AttemptRecord] {
    /// The attempt log as JSON text for the request log: the fields in declaration order, as
    /// `Codable` would write them, but written directly (this runs once per request).
    var json: String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(96 * count + 2)
        for (i, a) in enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"tier":"#.utf8)
            JSONWriter.writeString(a.tier, into: &out)
            out.append(contentsOf: #","model":"#.utf8)
            JSONWriter.writeString(a.model, into: &out)
            out.append(contentsOf: #","outcome":"#.utf8)
            JSONWriter.writeString(a.outcome, into: &out)
            if let status = a.status { out.append(contentsOf: #","status":\#(status)"#.utf8) }
            out.append(contentsOf: #","ms":"#.utf8)
            JSONWriter.write(.double(a.ms), into: &out)
            if let message = a.message {
                out.append(contentsOf: #","message":"#.utf8)
                JSONWriter.writeString(message, into: &out)
            }
            if let id = a.providerRequestID {
                out.append(contentsOf: #","provider_request_id":"#.utf8)
                JSONWriter.writeString(id, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
