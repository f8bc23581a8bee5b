import Testing
import TriageCore

@Suite struct JudgeRubricTests {
    @Test(arguments: [
        ("{\"verdict\": \"as_good\", \"reason\": \"both give 18\"}", ShadowVerdict.asGood),
        ("```json\n{\"verdict\":\"worse\",\"reason\":\"wrong total\"}\n```", .worse),
        ("{\"Verdict\": \"better\"}", .better),
        ("{\"result\": \"The candidate is not as good as the reference\"}", .worse),
        ("Verdict: worse. The candidate forgot the tax.", .worse),
        ("The candidate is as good as the reference.", .asGood),
        ("Both answers are equivalent.", .asGood),
        ("It is not worse; both arrive at 42.", .asGood),
        ("better", .better),
    ])
    func verdictsAreReadFromJSONOrWords(_ text: String, _ expected: ShadowVerdict) {
        #expect(ComparisonRubric.parseVerdict(text) == expected)
    }

    @Test(arguments: ["", "   ", "I cannot decide.", "{\"verdict\": 3}", "7/10"])
    func junkHoldsNoVerdict(_ text: String) {
        #expect(ComparisonRubric.parseVerdict(text) == nil)
    }

    @Test func theComparisonPromptKeepsItsSectionsApart() throws {
        let messages = ComparisonRubric.messages(question: "What is 2+2?\nShow work.", reference: "4", candidate: "It is 5")
        #expect(messages.count == 2)
        #expect(messages[0]["content"]?.stringValue?.hasPrefix("[triage-judge] " + ComparisonRubric.name) == true)
        let user = try #require(messages[1]["content"]?.stringValue)
        let s = try #require(ComparisonRubric.sections(of: user))
        #expect(s.question == "What is 2+2?\nShow work." && s.reference == "4" && s.candidate == "It is 5")
    }

    @Test func longAnswersAreClippedSoAJudgeCallStaysBounded() throws {
        let long = String(repeating: "x", count: ComparisonRubric.maxSectionCharacters * 3)
        let user = try #require(ComparisonRubric.messages(question: "q", reference: long, candidate: long)[1]["content"]?.stringValue)
        #expect(user.count < ComparisonRubric.maxSectionCharacters * 2 + 200)
    }

    @Test func verdictsMapToRoutingLabels() {
        #expect(ShadowVerdict.worse.goodEnough == false)
        #expect(ShadowVerdict.asGood.goodEnough == true && ShadowVerdict.better.goodEnough == true)
        #expect(ShadowVerdict.unknown.goodEnough == nil)
    }
}

@Suite struct ShadowPlanTests {
    let plan = ShadowPlan(config: ShadowConfig(sampleRate: 0.25, maxUSDPerDay: 1, maxConcurrent: 2))

    @Test func onlySampledRequestsAnsweredBelowTheTopAreCompared() {
        #expect(plan.decide(status: 200, answeredTier: 0, topTier: 2, draw: 0.1, running: 0) == .compare)
        #expect(plan.decide(status: 200, answeredTier: 1, topTier: 2, draw: 0.24, running: 1) == .compare)
        #expect(plan.decide(status: 200, answeredTier: 2, topTier: 2, draw: 0.1, running: 0) == .notEligible)
        #expect(plan.decide(status: 502, answeredTier: 0, topTier: 2, draw: 0.1, running: 0) == .notEligible)
        #expect(plan.decide(status: 200, answeredTier: nil, topTier: 2, draw: 0.1, running: 0) == .notEligible)
        #expect(plan.decide(status: 200, answeredTier: 0, topTier: 2, draw: 0.25, running: 0) == .notSampled)
        #expect(plan.decide(status: 200, answeredTier: 0, topTier: 2, draw: 0.1, running: 2) == .busy)
    }

    @Test func aZeroRateOrBudgetIsOff() {
        #expect(ShadowPlan(config: ShadowConfig()).decide(status: 200, answeredTier: 0, topTier: 1, draw: 0, running: 0) == .off)
        #expect(ShadowPlan(config: ShadowConfig(sampleRate: 1, maxUSDPerDay: 0)).decide(status: 200, answeredTier: 0, topTier: 1, draw: 0, running: 0) == .off)
    }

    @Test func theWorstCaseCoversTheTopCallAndTheJudge() {
        let top = Price(inputPerMTok: 10, outputPerMTok: 30), judge = Price(inputPerMTok: 1, outputPerMTok: 2)
        let w = ShadowPlan.worstCase(promptTokens: 100, answerTokens: 50, maxTokens: 1000, top: top, judge: judge, judgeOutputTokens: 100)
        // Per million tokens: top 100 × $10 + 1000 × $30 = $31,000; judge (100 + 50 + 1000 + 400) × $1 + 100 × $2 = $1,750.
        #expect(w == Money(nanoUSD: 31_000_000 + 1_750_000))
    }
}
