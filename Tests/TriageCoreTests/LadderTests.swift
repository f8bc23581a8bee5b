import Testing
import TriageCore

@Suite struct LadderTests {
    let standard = ladder(["simple", "medium", "complex"])

    @Test func autoLeavesTheChoiceToTheClassifier() throws {
        #expect(try standard.entry(for: "auto") == .auto)
    }

    @Test func aTierNameStartsAtThatTier() throws {
        #expect(try standard.entry(for: "medium") == .fixed(index: 1, reason: "tier 'medium' requested"))
        #expect(try standard.entry(for: "complex") == .fixed(index: 2, reason: "tier 'complex' requested"))
    }

    @Test func aConfiguredModelNameStartsAtItsTier() throws {
        #expect(try standard.entry(for: "model-2") == .fixed(index: 2, reason: "model 'model-2' requested"))
    }

    @Test func aTierNameWinsOverAModelOfTheSameName() throws {
        let l = Ladder(tiers: [
            TierConfig(name: "a", provider: "p", model: "b", price: Price(inputPerMTok: 0, outputPerMTok: 0)),
            TierConfig(name: "b", provider: "p", model: "x", price: Price(inputPerMTok: 0, outputPerMTok: 0)),
        ])
        #expect(try l.entry(for: "b") == .fixed(index: 1, reason: "tier 'b' requested"))
    }

    @Test func anAliasStandsForAutoATierOrAModel() throws {
        var l = standard
        l.aliases = ["gpt-4o": "auto", "gpt-4": "complex", "mini": "model-0"]
        #expect(try l.entry(for: "gpt-4o") == .auto)
        #expect(try l.entry(for: "gpt-4") == .fixed(index: 2, reason: "tier 'complex' requested (as 'gpt-4')"))
        #expect(try l.entry(for: "mini") == .fixed(index: 0, reason: "model 'model-0' requested (as 'mini')"))
        #expect(throws: TriageError.modelNotFound("gpt-5")) { try l.entry(for: "gpt-5") }
    }

    @Test func anUnknownModelIsNotFound() {
        #expect(throws: TriageError.modelNotFound("gpt-5")) { try standard.entry(for: "gpt-5") }
        #expect(throws: TriageError.modelNotFound("Auto")) { try standard.entry(for: "Auto") }
    }

    @Test func tiersNamedAfterComplexitiesAreUsedByName() {
        #expect(standard.index(for: .simple) == 0)
        #expect(standard.index(for: .medium) == 1)
        #expect(standard.index(for: .complex) == 2)
        // By name, wherever the tier stands on the ladder.
        let named = ladder(["tiny", "simple", "complex", "huge"])
        #expect(named.index(for: .simple) == 1)
        #expect(named.index(for: .complex) == 2)
        #expect(named.index(for: .medium) == 2)
    }

    @Test func oneTierServesEveryComplexity() {
        let l = ladder(["only"])
        for c in Complexity.allCases { #expect(l.index(for: c) == 0) }
    }

    @Test func twoTiersPutMediumOnTheStrongerOne() {
        let l = ladder(["cheap", "strong"])
        #expect(l.index(for: .simple) == 0)
        #expect(l.index(for: .medium) == 1)
        #expect(l.index(for: .complex) == 1)
    }

    @Test func threeTiersMapInOrder() {
        let l = ladder(["cheap", "mid", "strong"])
        #expect(l.index(for: .simple) == 0)
        #expect(l.index(for: .medium) == 1)
        #expect(l.index(for: .complex) == 2)
    }

    @Test func fourTiersPutMediumAboveTheMiddle() {
        let l = ladder(["nano", "mini", "large", "max"])
        #expect(l.index(for: .simple) == 0)
        #expect(l.index(for: .medium) == 2)
        #expect(l.index(for: .complex) == 3)
    }

    @Test func complexitiesAreOrdered() {
        #expect(Complexity.simple < .medium)
        #expect(Complexity.medium < .complex)
        #expect(Complexity.allCases.sorted() == [.simple, .medium, .complex])
    }
}
