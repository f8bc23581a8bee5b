/// Deterministic token accounting shared by stream and non-stream answers.
///
/// An answer token is a run of ASCII whitespace followed by a run of other bytes
/// (a word with its leading space), so joining the tokens gives back the text exactly.
enum SimTokens {
    /// Prompt tokens: ceil(UTF-8 bytes of all message texts / 4) + 4 per message.
    static func promptTokens(_ messages: [ChatRequest.Message]) -> Int {
        var bytes = 0
        for message in messages { bytes += message.text.utf8.count }
        return (bytes + 3) / 4 + 4 * messages.count
    }

    /// Splits `text` into tokens; ranges index `text`'s UTF-8 view and fall on scalar boundaries.
    static func split(_ text: String) -> [Range<String.Index>] {
        let utf8 = text.utf8
        var ranges: [Range<String.Index>] = []
        ranges.reserveCapacity(utf8.count / 5 + 1)
        var start = utf8.startIndex
        var inWord = false
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let isSpace = Self.isSpace(utf8[index])
            if isSpace, inWord {
                ranges.append(start..<index)
                start = index
                inWord = false
            } else if !isSpace {
                inWord = true
            }
            utf8.formIndex(after: &index)
        }
        if start != utf8.endIndex { ranges.append(start..<utf8.endIndex) }
        return ranges
    }

    /// The text of one token.
    static func text(_ text: String, _ range: Range<String.Index>) -> String {
        String(Substring(text.utf8[range]))
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }
}
