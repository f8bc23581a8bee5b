import Testing
import TriageCore

@Suite struct FeatureExtractorTests {
    let extractor = FeatureExtractor(settings: FeatureSettings(hashBits: 12))

    @Test func fnv1aMatchesPublishedVectors() {
        #expect(FNV1a.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func countsWordsSentencesQuestionsAndDigits() {
        let s = extractor.stats("Why is the sky blue? It is 42 degrees. Really")
        #expect(s.words == 10)
        #expect(s.questions == 1)
        #expect(s.sentences == 3)  // "blue?", "degrees." and the unterminated last one
        #expect(s.digits == 2)
        #expect(s.numbers == 1)
        #expect(s.longestNumber == 2)
        #expect(s.capitalised == 3)  // Why, It, Really
        #expect(s.bytes == 45)
    }

    @Test func countsCodeBlocksAndInlineCode() {
        let s = extractor.stats("Fix this:\n```swift\nlet x = a + b\n```\nand call `run()` or `stop()`.")
        #expect(s.codeBlocks == 1)
        #expect(s.codeFences == 2)
        #expect(s.inlineCode == 2)
        #expect(s.mathSymbols == 2)  // = and +
        #expect(s.brackets == 2)
    }

    @Test func countsMathSymbolsIncludingUnicodeAndMinus() {
        let s = extractor.stats("x^2 − 3 = 7 - 1, 5×3 ≤ 20, well-known, π")
        // ^, =, - (between spaces), ×, ≤, π; U+2212 (−) is in the math-operator block; "well-known" is a hyphen.
        #expect(s.mathSymbols == 7)
        #expect(s.decimals == 0)
        #expect(extractor.stats("pi is 3.14 and e is 2.718.").decimals == 2)
    }

    @Test func findsListItemsAndMultipleChoiceOptions() {
        let list = extractor.stats("Steps:\n- one\n* two\n1. three\n12) four\n• five\nnot-a-list")
        #expect(list.listItems == 5)
        #expect(list.lines == 7)
        let mcq = "Q?\nA. 0\nB. 4\nC) 2\n(d) 6\nAnswer:"
        let s = extractor.stats(mcq)
        #expect(s.optionLines == 4)
        #expect(s.stemBytes == 3)  // "Q?\n"
        #expect(s.optionBytes == 4 + 4 + 4 + 5)
    }

    @Test func lexiconsMatchWholeWordsAndPairs() {
        let s = extractor.stats("Please compare and analyze the design, then prove it step by step.")
        #expect(s.lexiconCount(.comparison) == 1)
        #expect(s.lexiconCount(.reasoning) == 1)
        #expect(s.lexiconCount(.design) == 1)
        #expect(s.lexiconCount(.proof) == 1)
        // "then", "step", "by" (closing the pair "step by"), "step" (itself and "by step").
        #expect(s.lexiconCount(.steps) == 4)
        #expect(s.lexiconCount(.creative) == 0)
        #expect(extractor.stats("redesigned compares").lexiconCount(.design) == 0)
        #expect(extractor.stats("WRITE a POEM").lexiconCount(.creative) == 2)
    }

    @Test func allCapsLongWordsAndNonASCII() {
        let s = extractor.stats("Which is NOT an extraordinary café?")
        #expect(s.allCaps == 1)
        #expect(s.longWords == 1)
        #expect(s.nonASCII == 1)
        #expect(s.lexiconCount(.negation) == 1)
    }

    @Test func requestShapeFeatures() throws {
        let request = try chatRequest([("system", "You are terse."), ("user", "hi"), ("assistant", "hello"), ("user", "Design a cache")],
                                      extra: ["tools": .array([.object(["type": .string("function")])]),
                                              "response_format": .object(["type": .string("json_object")])])
        let input = FeatureInput(request: request)
        #expect(input.query == "Design a cache")
        #expect(input.systemBytes == 14)
        #expect(input.totalBytes == 14 + 2 + 5 + 14)
        #expect(input.turns == 3)
        #expect(input.hasTools && input.hasResponseFormat)
        let d = extractor.dense(input)
        #expect(d.count == DenseFeature.count)
        #expect(d[DenseFeature.hasTools.rawValue] == 1)
        #expect(d[DenseFeature.hasSystemPrompt.rawValue] == 1)
        #expect(d[DenseFeature.hasResponseFormat.rawValue] == 1)
        #expect(d[DenseFeature.lexDesign.rawValue] > 0)
        let bare = FeatureInput(request: try chatRequest([("user", "hi")], extra: ["tools": .array([])]))
        #expect(!bare.hasTools && bare.turns == 1 && bare.systemBytes == 0)
    }

    @Test func hashedFeaturesAreDeterministicSortedAndInRange() {
        let input = FeatureInput(prompt: "Compare quicksort and mergesort for 10 million items.")
        let a = extractor.extract(input), b = extractor.extract(input)
        #expect(a == b)
        #expect(!a.indices.isEmpty)
        #expect(zip(a.indices, a.indices.dropFirst()).allSatisfy { $0 < $1 })
        #expect(a.indices.allSatisfy { $0 >= 0 && Int($0) < 1 << 12 })
        #expect(a != extractor.extract(FeatureInput(prompt: "Write a haiku about autumn.")))
        // Digits are normalised: the numbers themselves do not change the hashed block.
        let c = extractor.extract(FeatureInput(prompt: "Compare quicksort and mergesort for 73 million items."))
        #expect(c.indices == a.indices && c.values == a.values)
    }

    @Test func settingsToggleHashedKinds() {
        let none = FeatureExtractor(settings: FeatureSettings(hashBits: 12, wordUnigrams: false, wordBigrams: false,
                                                              charNGramMin: 0, charNGramMax: 0))
        #expect(none.extract(FeatureInput(prompt: "some words here")).indices.isEmpty)
        let uni = FeatureExtractor(settings: FeatureSettings(hashBits: 12, wordUnigrams: true, wordBigrams: false,
                                                             charNGramMin: 0, charNGramMax: 0))
        let x = uni.extract(FeatureInput(prompt: "alpha beta gamma"))
        #expect(x.indices.count <= 3 && !x.indices.isEmpty)
        // Each occurrence weighs ±1/sqrt(3).
        #expect(x.values.allSatisfy { abs(abs($0) - 1 / 3.0.squareRoot()) < 1e-12 || abs($0) < 1e-12 || abs(abs($0) - 2 / 3.0.squareRoot()) < 1e-12 })
    }

    @Test func servingPathScoresLikeTrainingPath() {
        var rng = SplitMix64(seed: 3)
        var model = LearnedModel(features: extractor.settings)
        model.hashedWeights = model.hashedWeights.map { _ in Double(rng.below(2001) - 1000) / 1000 }
        model.denseWeights = model.denseWeights.map { _ in Double(rng.below(2001) - 1000) / 1000 }
        model.denseMean = model.denseMean.map { _ in Double(rng.below(100)) / 100 }
        model.bias = -0.25
        for text in ["", "hi", "Prove that √2 is irrational, step by step.\n1. Assume\n2. Derive", String(repeating: "long text 12 ", count: 300)] {
            let input = FeatureInput(prompt: text)
            let fast = model.margin(input)
            let slow = model.margin(extractor.extract(input))
            #expect(abs(fast - slow) < 1e-9, "\(text.prefix(20)): \(fast) vs \(slow)")
        }
    }

    @Test func shapeConjunctionRepeatsTheDenseBlockForOpenFormQueries() throws {
        let shaped = FeatureExtractor(settings: FeatureSettings(hashBits: 12, shapeConjunction: true))
        let n = DenseFeature.count
        let open = shaped.dense(FeatureInput(prompt: "How many eggs are left after 3 days?"))
        #expect(open.count == 2 * n && Array(open[n...]) == Array(open[..<n]))
        let mcq = shaped.dense(FeatureInput(prompt: "Which one?\nA. x\nB. y\nC. z\nD. w\nAnswer:"))
        #expect(mcq[n...].allSatisfy { $0 == 0 })
        var model = LearnedModel(features: shaped.settings)
        model.denseWeights[n] = 0.5
        let file = ModelFile(name: "s", model: model, thresholds: ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.8),
                             thresholdsHow: "", training: ModelFileTests.sample().training, metrics: [:])
        #expect(try ModelFile.decode(file.encode()) == file)
    }
}
