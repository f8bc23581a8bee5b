extension SimJudge {
    /// The rubric names Triage's answer comparison and grading prompts carry.
    static let comparisonRubric = "triage.compare.v1"
    static let gradeRubric = "triage.grade.v1"

    /// A comparison of a candidate answer with a reference answer (sections `[Question]`,
    /// `[Reference answer]`, `[Candidate answer]`):
    /// - the text contains `sim-verdict=as_good|worse|better`: that verdict (lets tests pick it);
    /// - the question is in the replay file and both answers are recorded answers of it: the
    ///   recorded scores decide (candidate lower: `worse`, higher: `better`, equal: `as_good`);
    /// - identical answers: `as_good`; otherwise a reply with no verdict (`unknown` to Triage).
    static func comparison(_ prompt: Substring, replay: ReplayStore) -> String {
        if let r = prompt.firstRange(of: "sim-verdict=") {
            let v = prompt[r.upperBound...].prefix { $0.isLetter || $0 == "_" }
            if ["as_good", "worse", "better"].contains(v) { return "{\"verdict\": \"\(v)\", \"reason\": \"sim-verdict\"}" }
        }
        guard let s = sections(prompt, ["[Question]", "[Reference answer]", "[Candidate answer]"]), s.count == 3 else {
            return "I cannot tell."
        }
        let (question, reference, candidate) = (s[0], s[1], s[2])
        if let record = replay.record(prompt: Substring(question.trimmingSimWhitespace())), let scores = record.scores,
           let c = recordedScore(of: candidate, record, scores), let r = recordedScore(of: reference, record, scores) {
            let verdict = c < r ? "worse" : c > r ? "better" : "as_good"
            return "{\"verdict\": \"\(verdict)\", \"reason\": \"recorded correctness: candidate \(c), reference \(r)\"}"
        }
        if candidate.trimmingSimWhitespace() == reference.trimmingSimWhitespace() {
            return "{\"verdict\": \"as_good\", \"reason\": \"the same answer\"}"
        }
        return "I cannot tell."
    }

    /// A grade of an answer (sections `[Question]`, `[Answer]`) whose question is in the replay file
    /// and whose answer is a recorded one: 9 when that model's recorded score is 1, 2 when it is 0.
    /// Nil otherwise (the rating rules apply: `sim-rating=N`, or length and hard words).
    static func replayedGrade(_ prompt: Substring, replay: ReplayStore) -> Int? {
        guard let s = sections(prompt, ["[Question]", "[Answer]"]), s.count == 2,
              let record = replay.record(prompt: Substring(s[0].trimmingSimWhitespace())), let scores = record.scores,
              let score = recordedScore(of: s[1], record, scores) else { return nil }
        return score >= 0.5 ? 9 : 2
    }

    private static func recordedScore(of answer: Substring, _ record: ReplayStore.Record, _ scores: [String: Double]) -> Double? {
        let text = answer.trimmingSimWhitespace()
        guard let model = record.responses?.first(where: { $0.value.trimmingSimWhitespace() == text })?.key else { return nil }
        return scores[model]
    }

    /// The texts between consecutive markers (each marker on a line of its own), or nil.
    private static func sections(_ prompt: Substring, _ markers: [String]) -> [Substring]? {
        var bounds: [(Substring.Index, Substring.Index)] = []
        var from = prompt.startIndex
        for m in markers {
            guard let r = prompt[from...].firstRange(of: m + "\n") else { return nil }
            bounds.append((r.lowerBound, r.upperBound))
            from = r.upperBound
        }
        return bounds.indices.map { i in
            var end = i + 1 < bounds.count ? bounds[i + 1].0 : prompt.endIndex
            if i + 1 < bounds.count, end > bounds[i].1, prompt[prompt.index(before: end)] == "\n" { end = prompt.index(before: end) }
            return prompt[bounds[i].1..<end]
        }
    }
}
