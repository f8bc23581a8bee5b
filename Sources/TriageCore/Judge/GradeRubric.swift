/// The fixed rubric a judge model grades one answer to one question with (1–10), used by the
/// judge quality check (`quality_judge` on a tier).
public enum GradeRubric {
    /// The rubric's name and version, on the first line of its system prompt after the judge marker
    /// `[triage-judge]` (which lets the simulated provider play the judge).
    public static let name = "triage.grade.v1"

    /// The system prompt: the rubric.
    public static let system = """
        [triage-judge] \(name)
        You grade an AI assistant's answer to a question on a scale from 1 to 10.
        10: correct, complete and clear. 7-9: correct with small gaps. 4-6: partly correct, or correct but missing \
        much of what was asked. 2-3: mostly wrong, evasive or off topic. 1: empty, a refusal of a harmless request, or \
        nonsense. Correctness matters most; length and style alone do not.
        Reply with one JSON object and nothing else: {"rating": <1-10>, "reason": "<one short sentence>"}
        """

    /// Section markers of the user message.
    public static let questionMarker = "[Question]"
    public static let answerMarker = "[Answer]"

    /// The judge request's messages (OpenAI chat format).
    public static func messages(question: String, answer: String) -> [JSONValue] {
        let user = """
            \(questionMarker)
            \(ComparisonRubric.clip(question))
            \(answerMarker)
            \(ComparisonRubric.clip(answer))
            """
        return [.object(["role": .string("system"), "content": .string(system)]),
                .object(["role": .string("user"), "content": .string(user)])]
    }

    /// The sections of a user message built by ``messages(question:answer:)``, or nil.
    public static func sections(of user: String) -> (question: String, answer: String)? {
        guard let q = user.firstRange(of: questionMarker + "\n"),
              let a = user[q.upperBound...].firstRange(of: "\n" + answerMarker + "\n") else { return nil }
        return (String(user[q.upperBound..<a.lowerBound]), String(user[a.upperBound...]))
    }

    /// The grade (1–10) in a judge's reply, or nil when it holds none.
    public static func parseGrade(_ text: String) -> Double? {
        RatingParser(scale: 1...10).rating(in: text)
    }
}
