/// How far one request may move its routing: the quality dial and a tier cap.
///
/// The dial runs from 0 (cheapest) through 0.5 (the configured thresholds as they are) to 1
/// (best quality). It comes from the request's `x-triage-dial` header or the team's default, and
/// is clamped to the range the team allows. `x-triage-max-tier` (or the team's cap, whichever is
/// lower) caps both the starting tier and the climb.
public struct RoutingControls: Sendable, Equatable {
    /// In [0, 1]; 0.5 is neutral.
    public var dial: Double
    /// The highest ladder index the request may use, or nil for the top.
    public var maxTierIndex: Int?
    /// What moved the routing, for `x-triage-reason` (empty when nothing did).
    public var notes: [String]

    public static let neutralDial = 0.5
    public static let neutral = RoutingControls(dial: neutralDial, maxTierIndex: nil, notes: [])

    public init(dial: Double, maxTierIndex: Int?, notes: [String] = []) {
        self.dial = dial
        self.maxTierIndex = maxTierIndex
        self.notes = notes
    }

    /// Header names.
    public static let dialHeader = "x-triage-dial"
    public static let maxTierHeader = "x-triage-max-tier"

    /// Parses `x-triage-dial`. - Throws: a 400 for anything but a number in [0, 1].
    public static func parseDial(_ text: String) throws(TriageError) -> Double {
        let t = text.trimmingSpaces
        guard let d = Double(t), d.isFinite, (0...1).contains(d) else {
            throw .invalidField(dialHeader, "expected a number from 0 (cheapest) to 1 (best quality), got '\(text)'")
        }
        return d
    }

    /// Checks `x-triage-max-tier` names a tier. - Throws: a 400 otherwise.
    public static func parseMaxTier(_ text: String, ladder: Ladder) throws(TriageError) -> Int {
        let t = text.trimmingSpaces
        guard let i = ladder.tiers.firstIndex(where: { $0.name == t }) else {
            throw .invalidField(maxTierHeader, "expected a tier name (\(ladder.tiers.map(\.name).joined(separator: ", "))), got '\(text)'")
        }
        return i
    }

    /// The controls of one request within its team's policy.
    /// - Parameters:
    ///   - dial: the request's `x-triage-dial`, already parsed.
    ///   - maxTier: the request's `x-triage-max-tier` (a tier name; unknown names are ignored here,
    ///     the coordinator rejects them).
    ///   - teamDial, teamDialMin, teamDialMax, teamMaxTier: the team's policy (nil = not set).
    ///     A `teamMaxTier` that names no tier of the ladder (the config changed after the policy
    ///     was set) caps at the cheapest tier: a spend cap must not vanish with a renamed tier.
    public static func resolve(dial: Double?, maxTier: String?, teamDial: Double?, teamDialMin: Double?, teamDialMax: Double?,
                               teamMaxTier: String?, ladder: Ladder) -> RoutingControls {
        var notes: [String] = []
        let lo = min(max(teamDialMin ?? 0, 0), 1)
        let hi = max(min(teamDialMax ?? 1, 1), lo)
        var d = dial ?? teamDial ?? neutralDial
        if d < lo || d > hi {
            let wanted = d
            d = min(max(d, lo), hi)
            if dial != nil { notes.append("dial \(wanted.short) held to \(d.short) (team allows \(lo.short)-\(hi.short))") }
        }
        if d != neutralDial { notes.append("dial \(d.short)") }
        let requested = maxTier.flatMap { n in ladder.tiers.firstIndex { $0.name == n } }
        let stale = teamMaxTier.map { !isTier($0, of: ladder) } ?? false
        let team = stale ? 0 : teamMaxTier.flatMap { n in ladder.tiers.firstIndex { $0.name == n } }
        let cap: Int? = switch (requested, team) {
        case (let r?, let t?): min(r, t)
        case (let r?, nil): r
        case (nil, let t?): t
        case (nil, nil): nil
        }
        if let cap, cap < ladder.tiers.count - 1 {
            let why = stale ? " (team policy's max_tier '\(teamMaxTier ?? "")' is not a tier: the cheapest applies)" : " (team policy)"
            notes.append("max tier \(ladder.tiers[cap].name)" + (team == cap && requested != cap ? why : ""))
        }
        return RoutingControls(dial: d, maxTierIndex: cap, notes: notes)
    }

    /// Whether `name` is a tier of the ladder (a team policy's `max_tier` may name one the config no longer has).
    public static func isTier(_ name: String, of ladder: Ladder) -> Bool {
        ladder.tiers.contains { $0.name == name }
    }

    /// Applies the cap to a decision: a start above it starts at it.
    public func capped(_ decision: RoutingDecision, ladder: Ladder) -> RoutingDecision {
        guard let cap = maxTierIndex, decision.tierIndex > cap else { return decision }
        let t = ladder.tiers[cap]
        return RoutingDecision(tierIndex: cap, tier: t.name, model: t.model,
                               reason: decision.reason + "; capped at \(t.name) (max tier)", score: decision.score)
    }

    /// For classifiers without thresholds (rules): how many tiers the dial moves the start,
    /// from −(n−1) at 0 to +(n−1) at 1 on an n-tier ladder.
    public func tierShift(ladderCount: Int) -> Int {
        let span = Double(max(ladderCount - 1, 0))
        return Int(((dial - Self.neutralDial) * 2 * span).rounded())
    }
}

extension ScoreThresholds {
    /// The thresholds moved by the dial: 0.5 leaves them; towards 0 they rise to 1 (everything
    /// simple), towards 1 they fall to 0 (everything complex), linearly in between.
    public func dialled(_ dial: Double) -> ScoreThresholds {
        func move(_ t: Double) -> Double {
            // A threshold already above 1 (calibrated past the top score) stays put below neutral:
            // moving it "up to 1" would lower it, and a cheaper dial would route higher.
            dial <= RoutingControls.neutralDial
                ? max(t, t + (1 - t) * (RoutingControls.neutralDial - dial) * 2)
                : t - t * (dial - RoutingControls.neutralDial) * 2
        }
        // At dial 0 every score (a probability, at most 1) must fall below the simple threshold.
        let simple = dial == 0 ? Double.infinity : move(simpleBelow)
        return ScoreThresholds(simpleBelow: simple, complexFrom: dial == 0 ? .infinity : move(complexFrom))
    }

    /// True when a score lies within `margin` of either threshold.
    public func isNear(_ score: Double, margin: Double) -> Bool {
        abs(score - simpleBelow) <= margin || abs(score - complexFrom) <= margin
    }
}

extension Double {
    fileprivate var short: String {
        let r = (self * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let s = drop(while: { $0 == " " || $0 == "\t" })
        return s.prefix(s.count - s.reversed().prefix(while: { $0 == " " || $0 == "\t" }).count)
    }
}
