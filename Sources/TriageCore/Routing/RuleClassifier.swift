import Foundation

/// The product card's rule classifier.
///
/// - fewer than `simpleMaxWords` words, no complexity keyword and no context (no system prompt,
///   no earlier turns): `simple`;
/// - more than `complexMinWords` words, or a complexity keyword together with context: `complex`;
/// - everything else: `medium`.
public struct RuleClassifier: Classifier {
    /// Thresholds and keywords, from the config's `classifier` section.
    public struct Settings: Sendable, Equatable {
        public var simpleMaxWords: Int
        public var complexMinWords: Int
        /// Lower-case words or phrases that mark a query as complex.
        public var keywords: [String]

        public init(simpleMaxWords: Int = 20, complexMinWords: Int = 100, keywords: [String] = Settings.defaultKeywords) {
            self.simpleMaxWords = simpleMaxWords
            self.complexMinWords = complexMinWords
            self.keywords = keywords
        }

        public static let defaultKeywords = [
            "analyze", "analyse", "compare", "design", "architecture", "prove", "derive", "optimize",
            "trade-off", "tradeoff", "step by step", "evaluate", "critique", "debug", "refactor", "explain why",
        ]
    }

    public var settings: Settings
    public let name = "rules"

    public init(settings: Settings = Settings()) { self.settings = settings }

    public func classify(_ request: ChatRequest) -> Classification {
        let query = request.query
        let words = Self.wordCount(query)
        let lower = query.lowercased()
        let keyword = settings.keywords.first { Self.contains(lower, phrase: $0) }
        let context = request.hasSystemPrompt || request.hasEarlierTurns
        let contextText = request.hasSystemPrompt ? "system prompt" : "earlier turns"
        let score = min(1, Double(words) / Double(settings.complexMinWords)) * 0.5
            + (keyword != nil ? 0.25 : 0) + (context ? 0.25 : 0)

        if words > settings.complexMinWords {
            return Classification(complexity: .complex, score: score, reason: "long query (\(words) words > \(settings.complexMinWords))")
        }
        if let keyword, context {
            return Classification(complexity: .complex, score: score, reason: "keyword '\(keyword)' with context (\(contextText))")
        }
        if words < settings.simpleMaxWords, keyword == nil, !context {
            return Classification(complexity: .simple, score: score, reason: "short query (\(words) words < \(settings.simpleMaxWords)), no keyword, no context")
        }
        var why: [String] = []
        if words >= settings.simpleMaxWords { why.append("\(words) words") }
        if let keyword { why.append("keyword '\(keyword)'") }
        if context { why.append(contextText) }
        return Classification(complexity: .medium, score: score, reason: "medium (\(why.joined(separator: ", ")))")
    }

    /// Words separated by whitespace.
    static func wordCount(_ s: String) -> Int {
        var count = 0
        var inWord = false
        for b in s.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
            if space { inWord = false } else if !inWord { inWord = true; count += 1 }
        }
        return count
    }

    /// Whole-word (or whole-phrase) containment.
    static func contains(_ text: String, phrase: String) -> Bool {
        var search = text[...]
        while let r = search.range(of: phrase) {
            let beforeOK = r.lowerBound == text.startIndex || !text[text.index(before: r.lowerBound)].isLetter
            let afterOK = r.upperBound == text.endIndex || !text[r.upperBound].isLetter
            if beforeOK && afterOK { return true }
            search = text[r.upperBound...]
        }
        return false
    }
}
