import Foundation
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

    /// `simple/gpt-4o-mini=server_error(503)` for the `x-triage-fallbacks` header.
    var summary: String {
        "\(tier)/\(model)=\(outcome)" + (status.map { "(\($0))" } ?? "")
    }
}

extension [AttemptRecord] {
    /// The attempt log as JSON text for the request log.
    var json: String {
        (try? String(decoding: JSONEncoder.compact.encode(self), as: UTF8.self)) ?? "[]"
    }
}
