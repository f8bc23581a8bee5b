/// The simulated provider playing an LLM judge.
///
/// A request whose system prompt contains ``marker`` (`[triage-judge]`, which Triage's judge
/// rubrics carry) is answered with `{"rating": N}`, N a whole number from 1 to 10 derived from the
/// last user message alone, so the same text always gets the same rating:
/// - the text contains `sim-rating=N` (N from 1 to 10): N (lets tests pick the rating);
/// - otherwise 1 + one point per 20 words (at most 6) + 3 if a hard-task word appears
///   (`prove`, `derive`, `design`, `analyze`/`analyse`, `optimize`/`optimise`, `implement`,
///   `compare`, `architecture`, `theorem`), capped at 10.
///
/// Comparisons and grades of answers (the `triage.compare.v1` and `triage.grade.v1` rubrics) are
/// answered as ``comparison(_:replay:)`` and ``replayedGrade(_:replay:)`` describe.
///
/// Behaviours still apply (delays, failures, `hang`), and a fixed `answer` replaces the rating,
/// which is how tests feed the judge junk.
enum SimJudge {
    static let marker = "[triage-judge]"

    private static let hardWords: Set<Substring> = ["prove", "derive", "design", "analyze", "analyse", "optimize", "optimise",
                                                    "implement", "compare", "architecture", "theorem"]

    /// The judge's answer, or nil when the request is not addressed to a judge.
    static func answer(system: String?, prompt: Substring, replay: ReplayStore = ReplayStore()) -> String? {
        guard let system, system.contains(marker) else { return nil }
        if system.contains(comparisonRubric) { return comparison(prompt, replay: replay) }
        if system.contains(gradeRubric), let grade = replayedGrade(prompt, replay: replay) { return "{\"rating\": \(grade)}" }
        return "{\"rating\": \(rating(prompt))}"
    }

    static func rating(_ prompt: Substring) -> Int {
        if let r = prompt.firstRange(of: "sim-rating="),
           let n = Int(prompt[r.upperBound...].prefix(while: \.isNumber)), (1...10).contains(n) {
            return n
        }
        let words = prompt.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        var rating = 1 + min(6, words.count / 20)
        if words.contains(where: { hardWords.contains(Substring($0.lowercased())) }) { rating += 3 }
        return min(10, rating)
    }
}
