/// One reason an answer looks poor.
public struct QualityIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Nothing but whitespace.
        case empty
        /// Cut off by `max_tokens` (`finish_reason: length`) while still short.
        case truncated
        /// "I can't help with that", "As an AI language model…".
        case refusal
        /// The same words over and over.
        case repetition
        /// A code block opened with ``` and never closed.
        case unclosedCodeBlock = "unclosed_code_block"
        /// The request asked for JSON (`response_format`) and the answer is not (or not of the schema).
        case invalidJSON = "invalid_json"
        /// Far too short for what the question asks.
        case tooShort = "too_short"
        /// The judge graded the answer below the tier's `quality_judge.threshold`.
        case judgeLowGrade = "judge_low_grade"
        /// A tool call that cannot be carried out: arguments that are not a JSON object, a required
        /// argument left out, or a function the request does not offer.
        case invalidToolCall = "invalid_tool_call"
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// Settings of the checks, per tier (`quality:` in the config).
public struct QualitySettings: Sendable, Equatable {
    /// Checks that run; the others are skipped.
    public var enabled: Set<QualityIssue.Kind>
    /// A truncated answer shorter than this many words counts as poor.
    public var truncatedMinWords: Int
    /// An n-gram repeated at least this many times in a row, or covering this share of the answer, is degenerate.
    public var repetitionRuns: Int
    /// Answers to questions that ask for an explanation must have at least this many words.
    public var explanationMinWords: Int

    public init(enabled: Set<QualityIssue.Kind> = Set(QualityIssue.Kind.allCases), truncatedMinWords: Int = 40,
                repetitionRuns: Int = 6, explanationMinWords: Int = 12) {
        self.enabled = enabled
        self.truncatedMinWords = truncatedMinWords
        self.repetitionRuns = repetitionRuns
        self.explanationMinWords = explanationMinWords
    }
}

/// Pure checks of an answer against the question, run on every answer.
public struct QualityChecker: Sendable {
    public var settings: QualitySettings

    public init(settings: QualitySettings = QualitySettings()) { self.settings = settings }

    /// The issues found (empty: the answer passes).
    ///
    /// An answer that calls tools is judged by its calls (each must be carried out as written); the
    /// checks of an answer's text then apply only to text that comes with the calls, and never ask
    /// for text, length or `response_format` JSON (the answer is not the final one yet).
    ///
    /// An answer cut at the request's own `max_tokens` (see ``stoppedAtClientLimit(finishReason:request:completionTokens:)``)
    /// is what the client asked for, and every tier would stop at the same limit: it is not checked
    /// for being whole (truncated, too short, an unclosed code block, `response_format` JSON), only
    /// for being empty, a refusal or a repetition.
    /// - Parameters:
    ///   - answer: the answer's text.
    ///   - finishReason: the provider's `finish_reason`.
    ///   - request: the question, for `response_format`, the tools it offers, what it asks and its `max_tokens`.
    ///   - toolCalls: the tool calls the answer makes.
    ///   - completionTokens: the answer's output tokens when the provider reported them.
    public func check(answer: String, finishReason: String?, request: ChatRequest, toolCalls: [AnswerToolCall] = [],
                      completionTokens: Int? = nil) -> [QualityIssue] {
        var issues: [QualityIssue] = []
        func add(_ kind: QualityIssue.Kind, _ detail: @autoclosure () -> String) {
            if settings.enabled.contains(kind) { issues.append(QualityIssue(kind, detail())) }
        }
        let words = Self.words(answer)
        if !toolCalls.isEmpty {
            for problem in toolCalls.compactMap({ $0.problem(for: request) }) { add(.invalidToolCall, problem) }
            if !words.isEmpty {
                if let phrase = Self.refusal(in: answer) { add(.refusal, "'\(phrase)'") }
                if let run = Self.repetition(words, minRuns: settings.repetitionRuns) { add(.repetition, run) }
            }
            return issues
        }
        if words.isEmpty {
            add(.empty, "the answer is empty")
            return issues
        }
        // Cut where the client asked: nothing to say about whether the answer is whole.
        let checkWhole = !Self.stoppedAtClientLimit(finishReason: finishReason, request: request, completionTokens: completionTokens)
        if checkWhole, finishReason == "length", words.count < settings.truncatedMinWords {
            add(.truncated, "cut at max_tokens after \(words.count) words")
        }
        if let phrase = Self.refusal(in: answer) {
            add(.refusal, "'\(phrase)'")
        }
        if let run = Self.repetition(words, minRuns: settings.repetitionRuns) {
            add(.repetition, run)
        }
        guard checkWhole else { return issues }
        if Self.fenceCount(answer) % 2 == 1 {
            add(.unclosedCodeBlock, "an odd number of ``` fences")
        }
        if let format = request.body["response_format"], let problem = JSONAnswerCheck.problem(answer, format: format) {
            add(.invalidJSON, problem)
        }
        if Self.asksForExplanation(request.query), words.count < settings.explanationMinWords, request.body["response_format"] == nil {
            add(.tooShort, "\(words.count) words for a question that asks for an explanation")
        }
        return issues
    }

    /// Whether the answer stopped at the output limit the request set itself (`max_tokens` or
    /// `max_completion_tokens`): finish reason `length` with as many output tokens as the limit (or
    /// no count reported). A health check or a one-word classifier sets `max_tokens: 1` on purpose;
    /// a stronger tier would stop at the same place at a higher price. A cut below the limit (a
    /// context window, a provider's own cap) is not the client's.
    public static func stoppedAtClientLimit(finishReason: String?, request: ChatRequest, completionTokens: Int?) -> Bool {
        guard finishReason == "length", let limit = request.maxTokens else { return false }
        guard let completionTokens else { return true }
        return completionTokens >= limit
    }

    static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
    }

    static let refusals = [
        "i can't help with", "i cannot help with", "i can't assist", "i cannot assist", "i'm unable to help",
        "i am unable to help", "i'm not able to help", "as an ai language model", "as an ai, i", "i cannot provide",
        "i can't provide", "i'm sorry, but i can", "i apologize, but i can", "i won't be able to",
    ]

    /// The phrases as folded bytes (see ``folded(_:)``).
    private static let refusalBytes = refusals.map { Array($0.utf8) }

    /// A refusal or hedge phrase near the start of the answer.
    static func refusal(in answer: String) -> String? {
        let head = folded(answer.prefix(300))
        return refusalBytes.firstIndex { contains(head, $0) }.map { refusals[$0] }
    }

    /// UTF-8 bytes with ASCII letters lowercased and the typographic apostrophe (’) read as `'`.
    /// The phrases looked for are ASCII, so this finds what `lowercased()` would, without
    /// Foundation's string search (microseconds per answer on the hot path).
    static func folded<S: StringProtocol>(_ text: S) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let b = pending.isEmpty ? it.next() : pending.removeFirst() {
            if b == 0xE2 {
                let b1 = it.next(), b2 = b1 == 0x80 ? it.next() : nil
                if b1 == 0x80, b2 == 0x99 { out.append(UInt8(ascii: "'")); continue }
                out.append(b)
                if let b1 { pending.append(b1) }
                if let b2 { pending.append(b2) }
                continue
            }
            out.append(b >= 0x41 && b <= 0x5A ? b + 32 : b)
        }
        return out
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// A phrase of 1–4 words repeated back to back at least `minRuns` times: a model stuck in a loop.
    ///
    /// Formatting and data repeat by nature, so they are not read: words inside fenced code blocks
    /// (closing braces, `NULL, NULL, …`), and phrases with no letter in them (a Markdown table's
    /// `| --- |` rules and empty cells, a row of zeros).
    static func repetition(_ allWords: [Substring], minRuns: Int) -> String? {
        guard allWords.count >= minRuns else { return nil }
        var words: [Substring] = []
        words.reserveCapacity(allWords.count)
        var inCode = false
        for w in allWords {
            if w.hasPrefix("```") { inCode.toggle() } else if !inCode { words.append(w) }
        }
        guard words.count >= minRuns else { return nil }
        let lower = words.map { $0.lowercased() }
        let lettered = words.map { $0.contains(where: \.isLetter) }
        for n in 1...4 where lower.count >= n * minRuns {
            var i = 0
            while i + n * minRuns <= lower.count {
                guard lettered[i..<i + n].contains(true) else {
                    i += 1
                    continue
                }
                let gram = lower[i..<i + n]
                var runs = 1
                var j = i + n
                while j + n <= lower.count, lower[j..<j + n] == gram {
                    runs += 1
                    j += n
                }
                if runs >= minRuns { return "'\(gram.joined(separator: " "))' \(runs) times in a row" }
                i += 1
            }
        }
        return nil
    }

    static func fenceCount(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.drop { $0 == " " }.hasPrefix("```") }.count
    }

    static let explanationCues = ["explain", "describe", "why ", "how does", "how do", "compare", "walk me through", "write an essay", "in detail"]

    private static let explanationCueBytes = explanationCues.map { Array($0.utf8) }

    /// Phrases with which a question asks for a short answer, which no minimum length then overrules.
    static let brevityCues = ["in one sentence", "in a sentence", "in one line", "in a line", "in one word", "in a word",
                              "in a few words", "briefly", "in brief", "in short", "concise", "short answer", "tl;dr", "yes or no"]

    private static let brevityCueBytes = brevityCues.map { Array($0.utf8) }

    /// Whether the question asks for an explanation (so a one-liner is too short) and not for brevity.
    static func asksForExplanation(_ query: String) -> Bool {
        let q = folded(query)
        return explanationCueBytes.contains { contains(q, $0) } && !brevityCueBytes.contains { contains(q, $0) }
    }
}
