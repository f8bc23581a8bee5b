import Testing
@testable import TriageSim

/// The sim playing the judge for Triage's answer comparison and grading rubrics.
@Suite struct SimJudgeRubricTests {
    static let compare = "[triage-judge] triage.compare.v1\nCompare."
    static let grade = "[triage-judge] triage.grade.v1\nGrade."
    static let replay = ReplayStore(records: [
        .init(id: "gsm8k/1", prompt: "How many eggs?", responses: ["mixtral": "The answer is 16.", "gpt-4": "The answer is 18."],
              scores: ["mixtral": 0, "gpt-4": 1]),
        .init(id: "gsm8k/2", prompt: "How many cats?", responses: ["mixtral": "3 cats", "gpt-4": "Three cats."], scores: ["mixtral": 1, "gpt-4": 1]),
    ])

    static func comparison(_ q: String, reference: String, candidate: String) -> Substring {
        "[Question]\n\(q)\n[Reference answer]\n\(reference)\n[Candidate answer]\n\(candidate)"
    }

    @Test func recordedCorrectnessDecidesAComparison() {
        let worse = SimJudge.answer(system: Self.compare, prompt: Self.comparison("How many eggs?", reference: "The answer is 18.",
                                                                                  candidate: "The answer is 16."), replay: Self.replay)
        #expect(worse?.contains("\"verdict\": \"worse\"") == true)
        let better = SimJudge.answer(system: Self.compare, prompt: Self.comparison("How many eggs?", reference: "The answer is 16.",
                                                                                   candidate: "The answer is 18."), replay: Self.replay)
        #expect(better?.contains("\"verdict\": \"better\"") == true)
        let same = SimJudge.answer(system: Self.compare, prompt: Self.comparison("How many cats?", reference: "Three cats.", candidate: "3 cats"),
                                   replay: Self.replay)
        #expect(same?.contains("\"verdict\": \"as_good\"") == true)
    }

    @Test func testsPickTheVerdictAndUnknownAnswersGetNone() {
        let picked = SimJudge.answer(system: Self.compare, prompt: Self.comparison("Q sim-verdict=worse", reference: "a", candidate: "b"))
        #expect(picked?.contains("\"worse\"") == true)
        #expect(SimJudge.answer(system: Self.compare, prompt: Self.comparison("Q", reference: "a", candidate: "b")) == "I cannot tell.")
        #expect(SimJudge.answer(system: Self.compare, prompt: Self.comparison("Q", reference: "same", candidate: "same"))?.contains("as_good") == true)
    }

    @Test func gradesFollowRecordedCorrectnessElseTheRatingRules() {
        #expect(SimJudge.answer(system: Self.grade, prompt: "[Question]\nHow many eggs?\n[Answer]\nThe answer is 16.", replay: Self.replay) == "{\"rating\": 2}")
        #expect(SimJudge.answer(system: Self.grade, prompt: "[Question]\nHow many eggs?\n[Answer]\nThe answer is 18.", replay: Self.replay) == "{\"rating\": 9}")
        #expect(SimJudge.answer(system: Self.grade, prompt: "[Question]\nsim-rating=3 Why?\n[Answer]\nBecause.") == "{\"rating\": 3}")
    }
}
