/// What a judge said about a cheaper tier's answer compared with the top tier's answer to the
/// same request.
public enum ShadowVerdict: String, Sendable, Equatable, CaseIterable {
    /// The cheaper answer is as good as the top tier's (routing was right).
    case asGood = "as_good"
    /// The cheaper answer is worse (a misroute: the query needed a stronger tier).
    case worse
    /// The cheaper answer is better than the top tier's.
    case better
    /// No verdict: the top-tier call or the judge failed, or the judge's text held no verdict.
    case unknown

    /// Whether the cheaper answer was good enough (`as_good` or `better`); nil for `unknown`.
    public var goodEnough: Bool? {
        switch self {
        case .asGood, .better: true
        case .worse: false
        case .unknown: nil
        }
    }
}

/// The fixed rubric a judge model compares two answers to one question with, and the parser of
/// its verdict.
///
/// The judge sees the question, the top tier's answer as the reference and the cheaper tier's
/// answer as the candidate, in delimited sections, and is asked for one JSON object:
/// `{"verdict": "as_good" | "worse" | "better", "reason": "..."}`.
public enum ComparisonRubric {
    /// The rubric's name and version, on the first line of its system prompt after the judge marker
    /// `[triage-judge]` (which lets the simulated provider play the judge).
    public static let name = "triage.compare.v1"

    /// The system prompt: the rubric.
    public static let system = """
        [triage-judge] \(name)
        You compare two answers to the same question. The reference answer comes from a strong model; the candidate \
        answer comes from a cheaper model. Judge only whether the candidate serves the person who asked as well as \
        the reference does: correctness first (a wrong final result is always worse), then completeness for what was \
        asked, then clarity. Length and style alone do not matter.
        Reply with one JSON object and nothing else:
        {"verdict": "as_good" | "worse" | "better", "reason": "<one short sentence>"}
        - as_good: the candidate is about as correct and useful as the reference.
        - worse: the candidate is wrong where the reference is right, misses part of what was asked, or is clearly less useful.
        - better: the candidate is right where the reference is wrong, or clearly more useful.
        """

    /// Section markers of the user message.
    public static let questionMarker = "[Question]"
    public static let referenceMarker = "[Reference answer]"
    public static let candidateMarker = "[Candidate answer]"

    /// Longest part of each text put in the prompt (characters), so a judge call stays bounded.
    public static let maxSectionCharacters = 12_000

    /// The judge request's messages (OpenAI chat format).
    public static func messages(question: String, reference: String, candidate: String) -> [JSONValue] {
        let user = """
            \(questionMarker)
            \(clip(question))
            \(referenceMarker)
            \(clip(reference))
            \(candidateMarker)
            \(clip(candidate))
            """
        return [.object(["role": .string("system"), "content": .string(system)]),
                .object(["role": .string("user"), "content": .string(user)])]
    }

    /// The sections of a user message built by ``messages(question:reference:candidate:)``, or nil.
    public static func sections(of user: String) -> (question: String, reference: String, candidate: String)? {
        guard let q = user.firstRange(of: questionMarker + "\n"), let r = user[q.upperBound...].firstRange(of: "\n" + referenceMarker + "\n"),
              let c = user[r.upperBound...].firstRange(of: "\n" + candidateMarker + "\n") else { return nil }
        return (String(user[q.upperBound..<r.lowerBound]), String(user[r.upperBound..<c.lowerBound]), String(user[c.upperBound...]))
    }

    /// The verdict in a judge's reply, or nil when it holds none.
    ///
    /// A JSON object's `verdict` (or `result`, `judgement`) field wins; otherwise the first verdict
    /// word or phrase in the text: `as good`/`as_good`/`equal`/`same`/`equivalent`/`tie`, `worse`,
    /// `better`. The reply `"not as good"` is `worse`.
    public static func parseVerdict(_ text: String) -> ShadowVerdict? {
        if let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
           let value = try? JSONValue.parse(Array(text[open...close].utf8)), case .object(let fields) = value {
            for key in ["verdict", "result", "judgement", "judgment"] {
                if let s = fields.first(where: { $0.key.lowercased() == key })?.value.stringValue, let v = verdictWord(in: s) { return v }
            }
        }
        return verdictWord(in: text)
    }

    private static func verdictWord(in text: String) -> ShadowVerdict? {
        let words = text.lowercased().split { !$0.isLetter && $0 != "_" }.map(String.init)
        for (i, w) in words.enumerated() {
            let next = i + 1 < words.count ? words[i + 1] : ""
            let before = i > 0 ? words[i - 1] : ""
            switch w {
            case "as_good", "equal", "equally", "same", "equivalent", "tie", "comparable":
                return before == "not" ? .worse : .asGood
            case "as" where next == "good" || next == "well":
                return before == "not" ? .worse : .asGood
            case "worse", "inferior", "weaker":
                return before == "not" || before == "no" ? .asGood : .worse
            case "better", "superior", "stronger":
                return before == "not" || before == "no" ? .asGood : .better
            default:
                continue
            }
        }
        return nil
    }

    static func clip(_ s: String) -> String {
        s.count <= maxSectionCharacters ? s : String(s.prefix(maxSectionCharacters)) + " [...]"
    }
}
