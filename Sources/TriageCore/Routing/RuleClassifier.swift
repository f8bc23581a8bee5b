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
        let (words, lower) = Self.scan(request.query)
        var keyword: String?
        for k in settings.keywords where Self.containsWord(lower, k.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }) {
            keyword = k
            break
        }
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

    /// One pass over the text's UTF-8: its word count (whitespace-separated) and its bytes with
    /// ASCII letters lower-cased (the keywords are lower-case).
    public static func scan(_ text: String) -> (words: Int, lower: [UInt8]) {
        var words = 0
        var inWord = false
        var lower = [UInt8]()
        lower.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
            if space { inWord = false } else if !inWord { inWord = true; words += 1 }
            lower.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        return (words, lower)
    }

    /// Whole-word (or whole-phrase) occurrence of `k` in `text`; letters (ASCII and any non-ASCII
    /// byte) are word characters, so "designer" does not contain "design" but "re-design" does.
    static func containsWord(_ text: [UInt8], _ k: [UInt8]) -> Bool {
        guard let first = k.first, k.count <= text.count else { return false }
        return text.withUnsafeBufferPointer { t in
            k.withUnsafeBufferPointer { kw in
                var i = 0
                let last = t.count - kw.count
                while i <= last {
                    if t[i] == first {
                        var j = 1
                        while j < kw.count && t[i + j] == kw[j] { j += 1 }
                        if j == kw.count {
                            let before = i == 0 || !isLetter(t[i - 1])
                            let after = i + kw.count == t.count || !isLetter(t[i + kw.count])
                            if before && after { return true }
                        }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b >= 0x80 }
}
