/// Keyword lexicons: small word lists whose hits become count features. Entries are one word
/// or two words separated by a space, lower case, matched as whole words.
public enum Lexicon: Int, Sendable, CaseIterable {
    case reasoning, comparison, design, proof, creative, coding, math, negation, steps

    public var name: String {
        switch self {
        case .reasoning: "reasoning"
        case .comparison: "comparison"
        case .design: "design"
        case .proof: "proof"
        case .creative: "creative"
        case .coding: "coding"
        case .math: "math"
        case .negation: "negation"
        case .steps: "steps"
        }
    }

    public var entries: [String] {
        switch self {
        case .reasoning:
            ["why", "explain", "reason", "reasoning", "because", "therefore", "thus", "hence", "infer", "implies",
             "imply", "deduce", "conclude", "conclusion", "analyze", "analyse", "analysis", "evaluate", "assess",
             "justify", "argue", "argument", "cause", "effect", "consequence", "likely", "most likely", "best explains",
             "explain why", "think through", "critique", "interpret"]
        case .comparison:
            ["compare", "comparison", "contrast", "versus", "vs", "difference", "differences", "differ", "better",
             "worse", "trade", "tradeoff", "tradeoffs", "pros", "cons", "advantages", "disadvantages", "similar",
             "similarities", "rather than", "more than", "less than", "instead"]
        case .design:
            ["design", "architecture", "architect", "scalable", "scale", "system", "systems", "implement",
             "implementation", "optimize", "optimise", "optimization", "strategy", "plan", "framework", "pipeline",
             "infrastructure", "distributed", "microservice", "microservices", "refactor"]
        case .proof:
            ["prove", "proof", "theorem", "lemma", "derive", "derivation", "show that", "demonstrate", "induction",
             "contradiction", "hypothesis", "axiom", "corollary", "if and only", "necessarily", "sufficient",
             "statement", "valid", "invalid", "true", "false"]
        case .creative:
            ["write", "story", "poem", "essay", "creative", "imagine", "fiction", "character", "narrative", "lyrics",
             "song", "novel", "humor", "funny", "tone", "style", "rewrite", "compose", "slogan", "haiku"]
        case .coding:
            ["code", "function", "class", "python", "javascript", "swift", "java", "rust", "sql", "bug", "debug",
             "compile", "compiler", "error", "exception", "algorithm", "api", "variable", "loop", "array",
             "recursion", "recursive", "program", "programming", "complexity", "runtime", "regex", "query"]
        case .math:
            ["calculate", "compute", "solve", "equation", "integral", "derivative", "probability", "sum", "product",
             "total", "percent", "percentage", "ratio", "average", "mean", "value", "number", "numbers", "how many",
             "how much", "area", "volume", "rate", "times", "half", "twice", "each", "per", "remainder", "fraction"]
        case .negation:
            ["not", "except", "never", "none", "least", "incorrect", "false", "cannot", "without"]
        case .steps:
            ["step", "steps", "first", "then", "next", "finally", "after", "before", "afterwards", "step by",
             "by step", "sequence", "order", "process"]
        }
    }

    /// A fixed open-addressing table from word (or word-pair) hashes to a bit mask of lexicons.
    struct Table: Sendable {
        private var keys: [UInt64]
        private var masks: [UInt16]
        private let mask: Int

        init() {
            let size = 1024
            keys = Array(repeating: 0, count: size)
            masks = Array(repeating: 0, count: size)
            mask = size - 1
            for lex in Lexicon.allCases {
                for entry in lex.entries {
                    let words = entry.split(separator: " ")
                    var h: UInt64
                    if words.count == 1 {
                        h = Tokens.wordHash(Array(entry.utf8))
                    } else {
                        h = Tokens.pairHash(Tokens.wordHash(Array(words[0].utf8)), Tokens.wordHash(Array(words[1].utf8)))
                    }
                    if h == 0 { h = 1 }
                    var i = Int(truncatingIfNeeded: FNV1a.finalize(h)) & mask
                    while keys[i] != 0 && keys[i] != h { i = (i + 1) & mask }
                    keys[i] = h
                    masks[i] |= UInt16(1) << UInt16(lex.rawValue)
                }
            }
        }

        /// The lexicons this word or word-pair hash belongs to (0 for none).
        @inline(__always)
        func lookup(_ h: UInt64) -> UInt16 {
            let h = h == 0 ? 1 : h
            var i = Int(truncatingIfNeeded: FNV1a.finalize(h)) & mask
            while true {
                let k = keys[i]
                if k == h { return masks[i] }
                if k == 0 { return 0 }
                i = (i + 1) & mask
            }
        }

        static let shared = Table()
    }
}

/// How words are hashed, shared by the lexicon table and the extractor.
enum Tokens {
    /// FNV-1a of a normalised word (lower-case ASCII letters, digits mapped to `0`).
    static func wordHash(_ bytes: [UInt8]) -> UInt64 {
        var h = FNV1a.offsetBasis
        for b in bytes { h = FNV1a.step(h, normalise(b)) }
        return h
    }

    /// The hash of two adjacent words.
    @inline(__always)
    static func pairHash(_ a: UInt64, _ b: UInt64) -> UInt64 {
        FNV1a.combine(FNV1a.step(a, 0x20), b)
    }

    /// ASCII lower-case, digits to `0`; other bytes unchanged.
    @inline(__always)
    static func normalise(_ b: UInt8) -> UInt8 {
        if b >= 0x41 && b <= 0x5A { return b | 0x20 }
        if b >= 0x30 && b <= 0x39 { return 0x30 }
        return b
    }
}
