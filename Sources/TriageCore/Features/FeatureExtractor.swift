import Foundation

/// A query's features: the dense block (after the `log(1 + n)` transforms, before standardising)
/// and the hashed block as a sparse vector sorted by bucket.
public struct FeatureVector: Sendable, Equatable {
    public var dense: [Double]
    public var indices: [Int32]
    public var values: [Double]

    public init(dense: [Double], indices: [Int32], values: [Double]) {
        self.dense = dense
        self.indices = indices
        self.values = values
    }
}

/// Turns a ``FeatureInput`` into features in one pass over the query's UTF-8 bytes.
///
/// Training and serving share this code: ``extract(_:)`` materialises the features for training,
/// ``LearnedModel`` scores through the same scan without materialising them.
public struct FeatureExtractor: Sendable {
    public let settings: FeatureSettings

    public init(settings: FeatureSettings = FeatureSettings()) {
        self.settings = settings
    }

    /// The counts alone (no hashing).
    public func stats(_ text: String) -> TextStats {
        var sink = NullSink()
        return scan(text, hashing: false, sink: &sink)
    }

    /// All features of an input.
    public func extract(_ input: FeatureInput) -> FeatureVector {
        var sink = CollectSink(mask: UInt64(settings.hashedCount - 1))
        let stats = scan(input.query, hashing: true, sink: &sink)
        let (i, v) = sink.sparse()
        return FeatureVector(dense: dense(stats, input), indices: i, values: v)
    }

    /// The dense block of an input.
    public func dense(_ input: FeatureInput) -> [Double] {
        dense(stats(input.query), input)
    }

    /// The dense block from counts and the request shape: ``DenseFeature`` order, then (with
    /// ``FeatureSettings/shapeConjunction``) the same values again for open-form queries, zeros otherwise.
    public func dense(_ s: TextStats, _ input: FeatureInput) -> [Double] {
        let width = settings.denseCount
        return [Double](unsafeUninitializedCapacity: width) { buf, count in
            buf.initialize(repeating: 0)
            fillAll(buf, s, input)
            count = width
        }
    }

    /// Whether a query reads as multiple choice: at least two option lines (`A. …`, `B) …`, `(c) …`).
    /// Decided from the text alone, never from where a row came from.
    public static func isMultipleChoice(_ s: TextStats) -> Bool { s.optionLines >= 2 }

    /// ``isMultipleChoice(_:)`` from an extracted dense block (which holds `log(1 + option lines)`).
    public static func isMultipleChoice(dense: [Double]) -> Bool {
        dense[DenseFeature.optionLines.rawValue] >= log1p(2.0)
    }

    /// Fills a zeroed buffer of ``FeatureSettings/denseCount`` entries.
    @inline(__always)
    func fillAll(_ d: UnsafeMutableBufferPointer<Double>, _ s: TextStats, _ input: FeatureInput) {
        Self.fill(d, s, input)
        if settings.shapeConjunction && s.optionLines < 2 {
            let n = DenseFeature.count
            for j in 0..<n { d[n + j] = d[j] }
        }
    }

    @inline(__always)
    static func fill(_ d: UnsafeMutableBufferPointer<Double>, _ s: TextStats, _ input: FeatureInput) {
        @inline(__always) func lg(_ n: Int) -> Double { log1p(Double(max(n, 0))) }
        let bytes = Double(max(s.bytes, 1))
        let words = Double(max(s.words, 1))
        let queryBytes = input.query.utf8.count
        d[DenseFeature.tokens.rawValue] = lg(s.bytes / 4)
        d[DenseFeature.words.rawValue] = lg(s.words)
        d[DenseFeature.sentences.rawValue] = lg(s.sentences)
        d[DenseFeature.questions.rawValue] = lg(s.questions)
        d[DenseFeature.codeBlocks.rawValue] = lg(s.codeBlocks)
        d[DenseFeature.inlineCode.rawValue] = lg(s.inlineCode)
        d[DenseFeature.digits.rawValue] = lg(s.digits)
        d[DenseFeature.digitShare.rawValue] = Double(s.digits) / bytes
        d[DenseFeature.mathSymbols.rawValue] = lg(s.mathSymbols)
        d[DenseFeature.numbers.rawValue] = lg(s.numbers)
        d[DenseFeature.listItems.rawValue] = lg(s.listItems)
        d[DenseFeature.lines.rawValue] = lg(s.lines)
        d[DenseFeature.meanWordLength.rawValue] = s.words == 0 ? 0 : Double(s.wordBytes) / words
        d[DenseFeature.longWordShare.rawValue] = Double(s.longWords) / words
        d[DenseFeature.capitalisedShare.rawValue] = Double(s.capitalised) / words
        d[DenseFeature.allCapsWords.rawValue] = lg(s.allCaps)
        d[DenseFeature.nonASCIIShare.rawValue] = Double(s.nonASCII) / bytes
        d[DenseFeature.brackets.rawValue] = lg(s.brackets)
        d[DenseFeature.currencyPercent.rawValue] = lg(s.currencyPercent)
        d[DenseFeature.longestNumber.rawValue] = lg(s.longestNumber)
        d[DenseFeature.decimals.rawValue] = lg(s.decimals)
        for lex in Lexicon.allCases {
            d[DenseFeature.lexReasoning.rawValue + lex.rawValue] = lg(s.lexiconCount(lex))
        }
        d[DenseFeature.turns.rawValue] = lg(input.turns - 1)
        d[DenseFeature.systemTokens.rawValue] = lg(input.systemBytes / 4)
        d[DenseFeature.totalTokens.rawValue] = lg(input.totalBytes / 4)
        d[DenseFeature.contextTokens.rawValue] = lg((input.totalBytes - queryBytes) / 4)
        d[DenseFeature.hasTools.rawValue] = input.hasTools ? 1 : 0
        d[DenseFeature.hasResponseFormat.rawValue] = input.hasResponseFormat ? 1 : 0
        d[DenseFeature.hasSystemPrompt.rawValue] = input.systemBytes > 0 ? 1 : 0
        d[DenseFeature.optionLines.rawValue] = lg(s.optionLines)
        d[DenseFeature.meanOptionBytes.rawValue] = s.optionLines == 0 ? 0 : lg(s.optionBytes / s.optionLines)
        d[DenseFeature.stemTokens.rawValue] = lg(s.stemBytes / 4)
    }

    // MARK: - The scan

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
    }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// One pass over the text: fills the counts and, when `hashing`, sends hashed features to `sink`.
    @inline(__always)
    func scan<S: HashSink>(_ text: String, hashing: Bool, sink: inout S) -> TextStats {
        var text = text
        return text.withUTF8 { buf in scan(buf, hashing: hashing, sink: &sink) }
    }

    // The loop is long but flat: one byte at a time, no allocation, no String or Character work.
    func scan<S: HashSink>(_ p: UnsafeBufferPointer<UInt8>, hashing: Bool, sink: inout S) -> TextStats {
        let gramSpan = settings.charNGramMax > 0 ? settings.charNGramMax - settings.charNGramMin + 1 : 0
        let gramCapacity = hashing ? min(p.count, settings.maxHashedBytes) * gramSpan : 0
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(gramCapacity, 1)) { buf in
            scan(p, hashing: hashing, grams: buf.baseAddress!, sink: &sink)
        }
    }

    /// - Parameters:
    ///   - grams: room for every character n-gram hash; they go to the sink in one batch after the
    ///     loop, so that the loop itself never waits on a weight lookup.
    @inline(__always)
    private func scan<S: HashSink>(_ p: UnsafeBufferPointer<UInt8>, hashing: Bool, grams gramOut: UnsafeMutablePointer<UInt64>, sink: inout S) -> TextStats {
        // A local copy keeps the sink's accumulators in registers: writes to `inout` storage
        // could alias the weights being read, which forces a store and reload per feature.
        var out = sink
        defer { sink = out }
        var s = TextStats()
        let n = p.count
        s.bytes = n
        s.stemBytes = n
        let table = Lexicon.Table.shared
        let hashLimit = hashing ? min(n, settings.maxHashedBytes) : 0
        let uni = settings.wordUnigrams, bi = settings.wordBigrams
        let gMin = settings.charNGramMin, gMax = settings.charNGramMax
        let grams = hashing && gMax > 0

        // Current word.
        var inWord = false
        var wordStart = 0
        var wh = FNV1a.offsetBasis
        var wLen = 0, wLetters = 0, wUpper = 0, wDigits = 0
        var wFirstUpper = false
        var prevWord: UInt64 = 0
        var havePrev = false

        // Current line.
        var lineStart = 0
        var lineSeen = false   // a non-space byte seen on this line
        var lineIsOption = false
        var firstOptionAt = -1

        // Character n-grams.
        var gpos = 0
        var gramCount = 0
        var window: UInt64 = 0
        var lastWasSpace = true

        var lastNonSpace: UInt8 = 0

        @inline(__always) func finishWord() {
            s.words += 1
            s.wordBytes += wLen
            if wLetters >= 9 { s.longWords += 1 }
            if wFirstUpper { s.capitalised += 1 }
            if wLetters >= 2 && wUpper == wLetters { s.allCaps += 1 }
            if wDigits == wLen {
                s.numbers += 1
                if wLen > s.longestNumber { s.longestNumber = wLen }
            }
            var m = table.lookup(wh)
            var pair: UInt64 = 0
            if havePrev {
                pair = Tokens.pairHash(prevWord, wh)
                m |= table.lookup(pair)
            }
            while m != 0 {
                let k = m.trailingZeroBitCount
                s.lexicon[k] &+= 1
                m &= m &- 1
            }
            if wordStart < hashLimit {
                if uni { out.add(.wordUnigram, wh) }
                if bi && havePrev { out.add(.wordBigram, pair) }
            }
            prevWord = wh
            havePrev = true
            inWord = false
        }

        @inline(__always) func finishLine(_ end: Int) {
            if lineIsOption { s.optionBytes += end - lineStart }
        }

        var i = 0
        while i < n {
            let b = p[i]

            // Line structure, decided at the first non-space byte of each line.
            if !lineSeen && !Self.isSpace(b) {
                lineSeen = true
                s.lines += 1
                lineIsOption = false
                let b1: UInt8 = i + 1 < n ? p[i + 1] : 0
                let b2: UInt8 = i + 2 < n ? p[i + 2] : 0
                let b3: UInt8 = i + 3 < n ? p[i + 3] : 0
                if (b == 0x2D || b == 0x2A) && b1 == 0x20 {
                    s.listItems += 1
                } else if b == 0xE2 && b1 == 0x80 && b2 == 0xA2 {
                    s.listItems += 1
                } else if Self.isDigit(b) {
                    var j = i + 1
                    while j < n && j < i + 4 && Self.isDigit(p[j]) { j += 1 }
                    if j < n && (p[j] == 0x2E || p[j] == 0x29) && (j + 1 == n || Self.isSpace(p[j + 1])) { s.listItems += 1 }
                } else if Self.isLetter(b) && (b1 == 0x2E || b1 == 0x29) && (b2 == 0x20 || b2 == 0x09) {
                    lineIsOption = true
                } else if b == 0x28 && Self.isLetter(b1) && b2 == 0x29 && b3 == 0x20 {
                    lineIsOption = true
                }
                if lineIsOption {
                    s.optionLines += 1
                    if firstOptionAt < 0 { firstOptionAt = lineStart }
                }
            }

            if Self.isWordByte(b) {
                if !inWord {
                    inWord = true
                    wordStart = i
                    wh = FNV1a.offsetBasis
                    wLen = 0; wLetters = 0; wUpper = 0; wDigits = 0
                    wFirstUpper = Self.isUpper(b)
                }
                wh = FNV1a.step(wh, Tokens.normalise(b))
                wLen += 1
                if Self.isDigit(b) {
                    s.digits += 1
                    wDigits += 1
                } else if b < 0x80 {
                    wLetters += 1
                    if Self.isUpper(b) { wUpper += 1 }
                } else {
                    if b & 0xC0 != 0x80 { s.nonASCII += 1 }
                    // Math operators: U+2200–U+22FF, ×, ÷, ±, π.
                    let b1: UInt8 = i + 1 < n ? p[i + 1] : 0
                    if (b == 0xE2 && b1 >= 0x88 && b1 <= 0x8B) || (b == 0xC3 && (b1 == 0x97 || b1 == 0xB7))
                        || (b == 0xC2 && b1 == 0xB1) || (b == 0xCF && b1 == 0x80) {
                        s.mathSymbols += 1
                    }
                }
            } else {
                if inWord { finishWord() }
                switch b {
                case 0x0A:
                    finishLine(i)
                    lineStart = i + 1
                    lineSeen = false
                    lineIsOption = false
                    havePrev = false
                case 0x3F: // ?
                    s.questions += 1
                    if i + 1 == n || Self.isSpace(p[i + 1]) { s.sentences += 1 }
                case 0x2E, 0x21: // . !
                    if i > 0 && i + 1 < n && Self.isDigit(p[i - 1]) && Self.isDigit(p[i + 1]) && b == 0x2E {
                        s.decimals += 1
                    } else if i + 1 == n || Self.isSpace(p[i + 1]) {
                        s.sentences += 1
                    }
                case 0x60: // `
                    if i + 2 < n && p[i + 1] == 0x60 && p[i + 2] == 0x60 {
                        s.codeFences += 1
                        i += 2  // the fence is one backtick to the n-grams
                    } else {
                        s.inlineTicks += 1
                    }
                case 0x3D, 0x2B, 0x2A, 0x2F, 0x5E, 0x3C, 0x3E, 0x5C: // = + * / ^ < > \
                    s.mathSymbols += 1
                case 0x2D: // - between numbers or spaces is a minus
                    let before: UInt8 = i > 0 ? p[i - 1] : 0x20
                    let after: UInt8 = i + 1 < n ? p[i + 1] : 0x20
                    if (Self.isSpace(before) || Self.isDigit(before)) && (Self.isSpace(after) || Self.isDigit(after)) {
                        s.mathSymbols += 1
                    }
                case 0x28, 0x5B, 0x7B: // ( [ {
                    s.brackets += 1
                case 0x24, 0x25: // $ %
                    s.currencyPercent += 1
                default:
                    break
                }
            }
            if !Self.isSpace(b) { lastNonSpace = b }

            if grams && i < hashLimit {
                // Whitespace runs collapse to one space; every other byte is normalised.
                let space = Self.isSpace(b)
                if !(space && lastWasSpace) {
                    let byte = space ? 0x20 : Tokens.normalise(b)
                    // The last 8 bytes, newest lowest; a gram of length L is FNV-1a over its L bytes, oldest first.
                    window = window << 8 | UInt64(byte)
                    let have = min(gMax, gpos + 1)
                    if have >= gMin {
                        for len in gMin...have {
                            var h = FNV1a.offsetBasis
                            var shift = UInt64(8 * (len - 1))
                            for _ in 0..<len {
                                h = FNV1a.step(h, UInt8(truncatingIfNeeded: window >> shift))
                                shift &-= 8
                            }
                            gramOut[gramCount] = h
                            gramCount += 1
                        }
                    }
                    gpos += 1
                }
                lastWasSpace = space
            }
            i += 1
        }
        if inWord { finishWord() }
        finishLine(n)
        if gramCount > 0 { out.add(.charNGram, UnsafeBufferPointer(start: gramOut, count: gramCount)) }
        if firstOptionAt >= 0 { s.stemBytes = firstOptionAt }
        if s.words > 0 && lastNonSpace != 0x2E && lastNonSpace != 0x3F && lastNonSpace != 0x21 { s.sentences += 1 }
        return s
    }
}
