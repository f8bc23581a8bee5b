import Testing
import TriageCore

@Suite struct RoutingControlsTests {
    let three = ladder(["simple", "medium", "complex"])

    @Test func dialParsing() throws {
        #expect(try RoutingControls.parseDial("0") == 0)
        #expect(try RoutingControls.parseDial(" 0.25 ") == 0.25)
        #expect(try RoutingControls.parseDial("1") == 1)
        for bad in ["", "-0.1", "1.5", "high", "nan", "inf"] {
            #expect(throws: TriageError.self, "\(bad)") { try RoutingControls.parseDial(bad) }
            do { _ = try RoutingControls.parseDial(bad) } catch {
                #expect(error.status == 400)
                #expect(error.body.param == "x-triage-dial")
            }
        }
        #expect(try RoutingControls.parseMaxTier("medium", ladder: three) == 1)
        #expect(throws: TriageError.self) { try RoutingControls.parseMaxTier("huge", ladder: three) }
    }

    @Test func dialMovesThresholdsMonotonically() {
        let t = ScoreThresholds(simpleBelow: 0.4, complexFrom: 0.7)
        #expect(t.dialled(0.5) == t)
        #expect(t.dialled(0).complexity(for: 0.999) == .simple, "dial 0: everything simple")
        #expect(t.dialled(0).complexity(for: 1) == .simple)
        #expect(t.dialled(1).complexity(for: 0) == .complex, "dial 1: everything complex")
        var last = t.dialled(0)
        for step in 1...10 {
            let next = t.dialled(Double(step) / 10)
            #expect(next.simpleBelow <= last.simpleBelow && next.complexFrom <= last.complexFrom)
            last = next
        }
        #expect(abs(t.dialled(0.25).simpleBelow - 0.7) < 1e-12)  // halfway from 0.4 to 1
        #expect(abs(t.dialled(0.75).complexFrom - 0.35) < 1e-12)  // halfway from 0.7 to 0
        // calibrate puts complex_from just above the top score when no share is complex; a score of
        // exactly 1 (a saturated sigmoid) must not turn complex at a cheaper dial.
        let above = ScoreThresholds(simpleBelow: 0.4, complexFrom: 1.0.nextUp)
        for d in [0.1, 0.25, 0.45] { #expect(above.dialled(d).complexity(for: 1) != .complex, "dial \(d)") }
        #expect(t.isNear(0.45, margin: 0.1))
        #expect(!t.isNear(0.55, margin: 0.1))
    }

    @Test func tierShiftForRules() {
        func shift(_ d: Double) -> Int { RoutingControls(dial: d, maxTierIndex: nil).tierShift(ladderCount: 3) }
        #expect(shift(0) == -2)
        #expect(shift(0.25) == -1)
        #expect(shift(0.5) == 0)
        #expect(shift(0.75) == 1)
        #expect(shift(1) == 2)
    }

    @Test func teamPolicyBoundsTheRequest() {
        func resolve(_ dial: Double?, _ tier: String?, teamDial: Double? = nil, min: Double? = nil, max: Double? = nil, teamTier: String? = nil) -> RoutingControls {
            RoutingControls.resolve(dial: dial, maxTier: tier, teamDial: teamDial, teamDialMin: min, teamDialMax: max, teamMaxTier: teamTier, ladder: three)
        }
        #expect(resolve(nil, nil) == .neutral)
        #expect(resolve(0.9, nil).dial == 0.9)
        #expect(resolve(nil, nil, teamDial: 0.2).dial == 0.2, "the team's default")
        #expect(resolve(0.8, nil, teamDial: 0.2).dial == 0.8, "a request moves it")
        let held = resolve(1, nil, max: 0.6)
        #expect(held.dial == 0.6, "held to the team's range")
        #expect(held.notes.contains { $0.contains("held to 0.6") })
        #expect(resolve(0, nil, min: 0.3).dial == 0.3)
        #expect(resolve(nil, "medium").maxTierIndex == 1)
        #expect(resolve(nil, "complex", teamTier: "medium").maxTierIndex == 1, "a request cannot lift the team's cap")
        #expect(resolve(nil, "simple", teamTier: "medium").maxTierIndex == 0, "but may lower it")
        let capped = resolve(nil, "medium").capped(RoutingDecision(tierIndex: 2, tier: "complex", model: "m", reason: "long", score: 0.9), ladder: three)
        #expect(capped.tierIndex == 1 && capped.tier == "medium")
        #expect(capped.reason.contains("capped at medium"))
    }

    @Test func aTeamCapNamingATierNoLongerConfiguredCapsAtTheCheapest() {
        let stale = RoutingControls.resolve(dial: nil, maxTier: nil, teamDial: nil, teamDialMin: nil, teamDialMax: nil, teamMaxTier: "large", ladder: three)
        #expect(stale.maxTierIndex == 0, "the cap does not vanish with the tier")
        #expect(stale.notes.contains { $0.contains("max_tier 'large' is not a tier: the cheapest applies") }, "\(stale.notes)")
        let requested = RoutingControls.resolve(dial: nil, maxTier: "complex", teamDial: nil, teamDialMin: nil, teamDialMax: nil, teamMaxTier: "large", ladder: three)
        #expect(requested.maxTierIndex == 0, "a request cannot lift it either")
        #expect(!RoutingControls.isTier("large", of: three) && RoutingControls.isTier("medium", of: three))
    }
}
