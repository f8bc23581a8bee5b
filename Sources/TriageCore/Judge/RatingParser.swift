/// Reads a rating out of a judge model's free text, however the model chose to write it.
///
/// Tried in this order, the first that yields a rating on the scale wins:
/// 1. JSON anywhere in the text (also inside a code fence): `{"rating": 7}`, `{"score": "7"}`,
///    keys `rating`, `score`, `complexity`, `difficulty`, `quality`, `value` (a number, or a string
///    that parses as a rating itself).
/// 2. A labelled number: `Rating: 7`, `score = 7/10`, `complexity is 7`.
/// 3. A fraction: `7/10`, `7 out of 10` (a denominator other than the scale's top rescales it:
///    `3/5` on 1…10 is 0.6 of the way up).
/// 4. The first number on the scale, once ranges that restate the scale (`1 to 10`, `1-10`,
///    `between 1 and 10`) are set aside: `On a scale of 1 to 10, I'd say 7` is 7.
/// 5. A number word (`seven`; a bare `one` only after a label), then a level word (`very low`, `low`, `medium`, `high`, `very high`,
///    `easy`, `hard`, …).
///
/// Anything else (empty text, junk, numbers off the scale) is nil, so the caller can fall back.
public struct RatingParser: Sendable, Equatable {
    /// The scale the judge was asked to rate on, e.g. `1...10`.
    public var scale: ClosedRange<Double>

    public init(scale: ClosedRange<Double> = 1...10) {
        precondition(scale.upperBound > scale.lowerBound, "a rating scale needs two distinct ends")
        self.scale = scale
    }

    /// The rating normalised to [0, 1] (the scale's bottom is 0, its top 1), or nil.
    public func normalised(_ text: String) -> Double? {
        rating(in: text).map { ($0 - scale.lowerBound) / (scale.upperBound - scale.lowerBound) }
    }

    /// The rating on the scale, or nil when the text holds none.
    public func rating(in text: String) -> Double? {
        var text = Substring(text)
        switch jsonRating(text) {
        case .rating(let r): return r
        case .noRating(let span): text = text[..<span.lowerBound] + text[span.upperBound...]  // read only what is around it
        case .noJSON: break
        }
        let tokens = RatingToken.split(text)
        return labelled(tokens) ?? fraction(tokens) ?? firstOnScale(tokens) ?? numberWord(tokens) ?? levelWord(tokens)
    }

    // MARK: Strategies

    private static let jsonKeys = ["rating", "score", "complexity", "difficulty", "quality", "value"]

    private enum JSONResult {
        case rating(Double?)
        /// A JSON object without a rating key, at this span of the text.
        case noRating(Range<Substring.Index>)
        case noJSON
    }

    private func jsonRating(_ text: Substring) -> JSONResult {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
              let value = try? JSONValue.parse(Array(text[open...close].utf8)), case .object(let fields) = value else { return .noJSON }
        var byKey: [String: JSONValue] = [:]
        for (k, v) in fields { byKey[k.lowercased()] = v }
        for key in Self.jsonKeys {
            guard let v = byKey[key] else { continue }
            if let d = v.doubleValue { return .rating(onScale(d)) }
            if let s = v.stringValue, !s.contains("{") { return .rating(rating(in: s)) }
            return .rating(nil)
        }
        return .noRating(open..<text.index(after: close))
    }

    private static let labels: Set<String> = ["rating", "rate", "rated", "score", "scored", "complexity", "difficulty", "grade", "level", "quality"]
    private static let fillers: Set<String> = ["is", "of", "be", "would", "i", "d", "it", "as", "a", "an", "at", "the", "this", "my", "final", "overall", "give", "say", "query", "question"]

    /// `Rating: 7`, `score = 7/10`: a label, then up to four filler tokens, then a number.
    private func labelled(_ tokens: [RatingToken]) -> Double? {
        for (i, t) in tokens.enumerated() {
            guard case .word(let w) = t, Self.labels.contains(w) else { continue }
            var j = i + 1
            while j < tokens.count, j <= i + 5 {
                switch tokens[j] {
                case .number(let n):
                    if let f = fractionAt(tokens, j) { return f }
                    if let r = onScale(n) { return r }
                    j = tokens.count
                case .word(let w) where Self.fillers.contains(w):
                    j += 1
                case .word(let w):
                    if let n = Self.numberWords[w] { return onScale(n) }
                    j = tokens.count
                case .symbol(let c) where ":=-(\"'*#".contains(c):
                    j += 1
                case .symbol:
                    j = tokens.count
                }
            }
        }
        return nil
    }

    private func fraction(_ tokens: [RatingToken]) -> Double? {
        for i in tokens.indices {
            if let r = fractionAt(tokens, i) { return r }
        }
        return nil
    }

    /// `7/10` or `7 out of 10` starting at token `i`, rescaled onto the scale.
    private func fractionAt(_ tokens: [RatingToken], _ i: Int) -> Double? {
        guard case .number(let n) = tokens[i] else { return nil }
        var d: Double?
        if i + 2 < tokens.count, case .symbol("/") = tokens[i + 1], case .number(let x) = tokens[i + 2] { d = x }
        if i + 3 < tokens.count, case .word("out") = tokens[i + 1], case .word("of") = tokens[i + 2], case .number(let x) = tokens[i + 3] { d = x }
        guard let d, d.isFinite, n.isFinite, d > 0, n >= 0, n <= d else { return nil }  // 400 digits read as infinity
        if d == scale.upperBound { return onScale(n) }
        return scale.lowerBound + n / d * (scale.upperBound - scale.lowerBound)
    }

    private func firstOnScale(_ tokens: [RatingToken]) -> Double? {
        var skip = Set<Int>()
        for i in tokens.indices {
            // `1 to 10`, `1-10`, `1 and 10` restating the scale (or 0 to its top).
            guard i + 2 < tokens.count, case .number(let a) = tokens[i], case .number(let b) = tokens[i + 2],
                  b == scale.upperBound, a == scale.lowerBound || a == 0 else { continue }
            switch tokens[i + 1] {
            case .word("to"), .word("and"), .symbol("-"), .symbol("–"): skip.formUnion([i, i + 2])
            default: break
            }
        }
        for (i, t) in tokens.enumerated() where !skip.contains(i) {
            if case .number(let n) = t, let r = onScale(n) { return r }
        }
        return nil
    }

    private static let numberWords: [String: Double] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    ]

    private func numberWord(_ tokens: [RatingToken]) -> Double? {
        for t in tokens {
            // Unlabelled "one" is mostly a pronoun ("a hard one").
            if case .word(let w) = t, w != "one", let n = Self.numberWords[w], let r = onScale(n) { return r }
        }
        return nil
    }

    /// Level words as a fraction of the way up the scale.
    private static let levels: [String: Double] = [
        "trivial": 0.05, "low": 0.2, "easy": 0.2, "simple": 0.2, "basic": 0.2,
        "medium": 0.5, "moderate": 0.5, "intermediate": 0.5, "average": 0.5,
        "high": 0.8, "hard": 0.8, "difficult": 0.8, "complex": 0.8, "advanced": 0.8, "expert": 0.95,
    ]

    private func levelWord(_ tokens: [RatingToken]) -> Double? {
        for (i, t) in tokens.enumerated() {
            guard case .word(let w) = t, var level = Self.levels[w] else { continue }
            if i > 0, case .word(let before) = tokens[i - 1], before == "very" || before == "extremely" {
                level = level < 0.5 ? 0.05 : 0.95
            }
            return scale.lowerBound + level * (scale.upperBound - scale.lowerBound)
        }
        return nil
    }

    private func onScale(_ n: Double) -> Double? {
        n.isFinite && scale.contains(n) ? n : nil
    }
}

/// A token of judge text: a lower-cased word, a number, or one other non-space character.
enum RatingToken: Equatable {
    case word(String)
    case number(Double)
    case symbol(Character)

    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }

    static func split(_ text: Substring) -> [RatingToken] {
        var out: [RatingToken] = []
        var chars = Array(text.unicodeScalars.prefix(4096))[...]
        while let c = chars.first {
            if c.properties.isWhitespace {
                chars.removeFirst()
            } else if ("0"..."9").contains(c) || (c == "-" && chars.dropFirst().first.map { ("0"..."9").contains($0) } == true && !(out.last?.isNumber ?? false)) {
                // A minus sign counts only where it cannot be a range dash (`1-10`).
                var digits = String.UnicodeScalarView()
                if c == "-" {
                    digits.append(c)
                    chars.removeFirst()
                }
                while let d = chars.first, ("0"..."9").contains(d) || (d == "." && !digits.contains(".") && chars.dropFirst().first.map { ("0"..."9").contains($0) } == true) {
                    digits.append(d)
                    chars.removeFirst()
                }
                out.append(.number(Double(String(digits)) ?? .nan))
            } else if c.properties.isAlphabetic {
                var word = String.UnicodeScalarView()
                while let d = chars.first, d.properties.isAlphabetic {
                    word.append(d)
                    chars.removeFirst()
                }
                out.append(.word(String(word).lowercased()))
            } else {
                out.append(.symbol(Character(c)))
                chars.removeFirst()
            }
        }
        return out
    }
}
