import Testing
import TriageCore

@Suite struct RouterTests {
    let router = TierRouter(ladder: ladder(["simple", "medium", "complex"]), classifier: RuleClassifier())

    @Test func autoUsesTheClassifier() throws {
        let simple = try router.decide(chatRequest([("user", "hi")]))
        #expect(simple.tierIndex == 0)
        #expect(simple.tier == "simple")
        #expect(simple.model == "model-0")
        #expect(simple.reason == "rules: short query (1 words < 20), no keyword, no context")
        #expect(simple.score != nil)

        let complex = try router.decide(chatRequest([("system", "s"), ("user", "prove it")]))
        #expect(complex.tier == "complex")
        #expect(complex.model == "model-2")
        #expect(complex.reason == "rules: keyword 'prove' with context (system prompt)")
    }

    @Test func aTierNameStartsThereWhateverTheQuery() throws {
        let d = try router.decide(chatRequest([("user", words(300))], model: "simple"))
        #expect(d == RoutingDecision(tierIndex: 0, tier: "simple", model: "model-0", reason: "tier 'simple' requested", score: nil))
    }

    @Test func aModelNameStartsAtItsTier() throws {
        let d = try router.decide(chatRequest([("user", "hi")], model: "model-1"))
        #expect(d == RoutingDecision(tierIndex: 1, tier: "medium", model: "model-1", reason: "model 'model-1' requested", score: nil))
    }

    @Test func anUnknownModelIsNotFound() throws {
        let request = try chatRequest([("user", "hi")], model: "gpt-9")
        #expect(throws: TriageError.modelNotFound("gpt-9")) { try router.decide(request) }
    }

    struct Always: Classifier {
        var complexity: Complexity
        var name: String { "always" }
        func classify(_ request: ChatRequest) -> Classification {
            Classification(complexity: complexity, score: 0.5, reason: "fixed \(complexity.rawValue)")
        }
    }

    @Test(arguments: [(1, [0, 0, 0]), (2, [0, 1, 1]), (3, [0, 1, 2]), (4, [0, 2, 3])])
    func autoMapsComplexitiesOntoLaddersOfAnySize(size: Int, expected: [Int]) throws {
        let names = ["bronze", "silver", "gold", "platinum"].prefix(size)
        for (complexity, index) in zip(Complexity.allCases, expected) {
            let r = TierRouter(ladder: ladder(Array(names)), classifier: Always(complexity: complexity))
            let d = try r.decide(chatRequest([("user", "hi")]))
            #expect(d.tierIndex == index, "\(complexity) on \(size) tiers")
            #expect(d.tier == names[index])
            #expect(d.reason == "always: fixed \(complexity.rawValue)")
            #expect(d.score == 0.5)
        }
    }
}
