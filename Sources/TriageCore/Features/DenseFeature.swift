/// The named, dense features: counts and shares computed from the text and the request shape.
/// Counts enter as `log(1 + n)` so that a 10 KB prompt does not dwarf a 100-byte one.
/// The order is part of the model file format: append new cases at the end and bump
/// ``ModelFile/formatVersion``.
public enum DenseFeature: Int, Sendable, CaseIterable {
    case tokens, words, sentences, questions, codeBlocks, inlineCode, digits, digitShare, mathSymbols, numbers
    case listItems, lines, meanWordLength, longWordShare, capitalisedShare, allCapsWords, nonASCIIShare
    case brackets, currencyPercent, longestNumber, decimals
    case lexReasoning, lexComparison, lexDesign, lexProof, lexCreative, lexCoding, lexMath, lexNegation, lexSteps
    case turns, systemTokens, totalTokens, contextTokens, hasTools, hasResponseFormat, hasSystemPrompt
    case optionLines, meanOptionBytes, stemTokens

    public var name: String {
        switch self {
        case .tokens: "tokens"
        case .words: "words"
        case .sentences: "sentences"
        case .questions: "questions"
        case .codeBlocks: "code_blocks"
        case .inlineCode: "inline_code"
        case .digits: "digits"
        case .digitShare: "digit_share"
        case .mathSymbols: "math_symbols"
        case .numbers: "numbers"
        case .listItems: "list_items"
        case .lines: "lines"
        case .meanWordLength: "mean_word_length"
        case .longWordShare: "long_word_share"
        case .capitalisedShare: "capitalised_share"
        case .allCapsWords: "all_caps_words"
        case .nonASCIIShare: "non_ascii_share"
        case .brackets: "brackets"
        case .currencyPercent: "currency_percent"
        case .longestNumber: "longest_number"
        case .decimals: "decimals"
        case .lexReasoning: "lex_reasoning"
        case .lexComparison: "lex_comparison"
        case .lexDesign: "lex_design"
        case .lexProof: "lex_proof"
        case .lexCreative: "lex_creative"
        case .lexCoding: "lex_coding"
        case .lexMath: "lex_math"
        case .lexNegation: "lex_negation"
        case .lexSteps: "lex_steps"
        case .turns: "turns"
        case .systemTokens: "system_tokens"
        case .totalTokens: "total_tokens"
        case .contextTokens: "context_tokens"
        case .hasTools: "has_tools"
        case .hasResponseFormat: "has_response_format"
        case .hasSystemPrompt: "has_system_prompt"
        case .optionLines: "option_lines"
        case .meanOptionBytes: "mean_option_bytes"
        case .stemTokens: "stem_tokens"
        }
    }

    public static let count = allCases.count
    public static let names = allCases.map(\.name)
}
