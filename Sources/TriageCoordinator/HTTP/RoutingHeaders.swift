import HTTPTypes
import TriageCore

/// The request headers that move routing: `x-triage-dial` and `x-triage-max-tier`.
struct RoutingHeaders: Sendable, Equatable {
    var dial: Double?
    var maxTier: String?

    static let dialName = HTTPField.Name(RoutingControls.dialHeader)!
    static let maxTierName = HTTPField.Name(RoutingControls.maxTierHeader)!

    /// Reads and checks the headers. - Throws: a 400 (OpenAI error shape) for a bad value.
    init(_ headers: HTTPFields, ladder: Ladder) throws(TriageError) {
        if let d = headers[Self.dialName] { dial = try RoutingControls.parseDial(d) }
        if let t = headers[Self.maxTierName] { maxTier = ladder.tiers[try RoutingControls.parseMaxTier(t, ladder: ladder)].name }
    }
}
