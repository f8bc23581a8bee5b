/// The fixed rubric the judge classifier asks a model to rate a query's complexity with (1–10).
///
/// The system prompt carries the marker `[triage-judge]` (the simulated provider answers such
/// requests as a judge) and the rubric's version, so cached decisions of an older rubric are not
/// reused (the version is part of the cache key).
public enum ComplexityRubric {
    /// The rubric's name and version.
    public static let version = "triage.complexity.v1"
    /// The marker every Triage judge prompt carries.
    public static let marker = "[triage-judge]"
    /// The rating scale.
    public static let scale: ClosedRange<Double> = 1...10

    /// The system prompt: the rubric.
    public static let system = """
        \(marker) \(version)
        You rate how hard a user's request is for an AI assistant, on a scale from 1 to 10, so that it can be \
        sent to a cheap or a strong model. Do not answer the request.
        1-3: a fact lookup, a greeting, a short rewrite or translation, simple arithmetic; any small model gets it right.
        4-6: a few steps of reasoning, a standard explanation, ordinary code or a short structured answer.
        7-8: multi-step maths or logic, expert knowledge, careful analysis, non-trivial code or design.
        9-10: proofs, research-level or highly specialised questions, long complex programs or plans where \
        small mistakes are likely.
        Reply with one JSON object and nothing else: {"rating": <1-10>}
        """

    /// The longest query text sent to the judge, in bytes (the head and the tail are kept).
    public static let maxQueryBytes = 6000

    /// The user message: the query, clipped to ``maxQueryBytes``.
    public static func user(query: String) -> String {
        let bytes = query.utf8
        guard bytes.count > maxQueryBytes else { return query }
        let head = String(decoding: bytes.prefix(maxQueryBytes * 2 / 3), as: UTF8.self)
        let tail = String(decoding: bytes.suffix(maxQueryBytes / 3), as: UTF8.self)
        return head + "\n[…]\n" + tail
    }

    /// The score in [0, 1] (higher = needs a stronger model) in a judge's reply, or nil.
    public static func score(_ reply: String) -> Double? {
        RatingParser(scale: scale).normalised(reply)
    }
}
