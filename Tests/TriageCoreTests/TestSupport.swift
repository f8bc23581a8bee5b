import TriageCore

/// A chat request for `model` with these `(role, content)` messages and any extra body fields.
func chatRequest(_ messages: [(String, String)], model: String = "auto",
                 extra: [String: JSONValue] = [:]) throws(TriageError) -> ChatRequest {
    var body: [String: JSONValue] = [
        "model": .string(model),
        "messages": .array(messages.map { .object(["role": .string($0.0), "content": .string($0.1)]) }),
    ]
    body.merge(extra) { _, new in new }
    return try ChatRequest(body: .object(body))
}

/// `count` words of filler that match no complexity keyword (`w1 w2 w3 ...`).
func words(_ count: Int) -> String {
    (1...max(count, 1)).prefix(count).map { "w\($0)" }.joined(separator: " ")
}

/// A ladder of tiers with these names; tier `i` serves model `model-i` on provider `p`.
func ladder(_ names: [String]) -> Ladder {
    Ladder(tiers: names.enumerated().map { i, name in
        TierConfig(name: name, provider: "p", model: "model-\(i)", price: Price(inputPerMTok: 1, outputPerMTok: 2))
    })
}
