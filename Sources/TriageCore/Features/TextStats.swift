/// Raw counts from one pass over a query's UTF-8 bytes.
public struct TextStats: Sendable, Equatable {
    public var bytes = 0
    public var words = 0
    public var sentences = 0
    public var questions = 0
    /// Occurrences of a triple backtick (a code block has two).
    public var codeFences = 0
    /// Single backticks outside fences (inline code has two).
    public var inlineTicks = 0
    public var digits = 0
    public var mathSymbols = 0
    /// Words made of digits only.
    public var numbers = 0
    /// Lines starting with a bullet (`-`, `*`, `•`) or a number (`1.`, `2)`).
    public var listItems = 0
    public var lines = 0
    public var wordBytes = 0
    /// Words of at least 9 letters.
    public var longWords = 0
    /// Words starting with an upper-case letter.
    public var capitalised = 0
    /// Words of two or more letters, all upper case.
    public var allCaps = 0
    /// Non-ASCII characters.
    public var nonASCII = 0
    public var brackets = 0
    public var currencyPercent = 0
    /// Digits in the longest number.
    public var longestNumber = 0
    /// Numbers with a decimal point (`3.14`).
    public var decimals = 0
    /// Hits per ``Lexicon``, by raw value.
    public var lexicon = SIMD16<Int32>()
    /// Lines that look like multiple-choice options (`A. …`, `B) …`, `(c) …`).
    public var optionLines = 0
    public var optionBytes = 0
    /// Bytes before the first option line (the whole text when there is none).
    public var stemBytes = 0

    public init() {}

    public func lexiconCount(_ lex: Lexicon) -> Int { Int(lexicon[lex.rawValue]) }

    /// Code blocks: pairs of fences (an unclosed fence counts as one).
    public var codeBlocks: Int { (codeFences + 1) / 2 }
    /// Inline code spans: pairs of single backticks.
    public var inlineCode: Int { inlineTicks / 2 }
}
