import Foundation
import Testing
import TriageCore

/// Multiple-choice detection and the learned model's choice heads: training, scoring (the serving
/// scan agrees with the training path) and the model file (format version 2, version 1 still read).
@Suite struct ChoiceHeadsTests {
    static let settings = FeatureSettings(hashBits: 10, charNGramMin: 3, charNGramMax: 4)

    @Test func multipleChoiceIsReadFromTheText() {
        let extractor = FeatureExtractor(settings: Self.settings)
        func mc(_ text: String) -> Bool {
            let byStats = FeatureExtractor.isMultipleChoice(extractor.stats(text))
            let byDense = FeatureExtractor.isMultipleChoice(dense: extractor.dense(FeatureInput(prompt: text)))
            #expect(byStats == byDense, "\(text)")
            return byStats
        }
        #expect(mc("Which gas do plants take in?\nA. Oxygen\nB. Carbon dioxide\nC. Helium\nD. Neon\nAnswer:"))
        #expect(mc("Pick one:\n(a) red\n(b) blue"))
        #expect(mc("Statement 1 | Every group is abelian.\nA) True, True\nB) False, False"))
        #expect(mc("Choose:\n  a. indented options\n  b. still count"))
        // Open form: a word problem, a single option-like line, a numbered list, prose mentioning "A." inline.
        #expect(!mc("Janet has 3 apples and buys 5 more. How many apples does she have?"))
        #expect(!mc("Consider the case below.\nA. Smith sued the city."))
        #expect(!mc("Steps:\n1. Boil water\n2. Add pasta"))
        #expect(!mc("Plan A. and plan B. were both rejected, B. said so."))
    }

    /// Multiple-choice rows where only the stem's topic word says which model gets them right, and
    /// open-form rows labelled by their own topic words.
    static func rows(_ n: Int, seed: UInt64) -> (inputs: [FeatureInput], strong: [Double], weak: [Double]) {
        var rng = SplitMix64(seed: seed)
        var inputs: [FeatureInput] = [], strong: [Double] = [], weak: [Double] = []
        for i in 0..<n {
            let k = rng.below(1000)
            switch i % 3 {
            case 0:  // multiple choice, only the strong model right: the router should send these up
                inputs.append(FeatureInput(prompt: "Which lemma about eigenvalue \(k) holds?\nA. one\nB. two\nC. three\nD. four"))
                strong.append(1); weak.append(0)
            case 1:  // multiple choice, both right
                inputs.append(FeatureInput(prompt: "Which fruit \(k) is yellow?\nA. banana\nB. plum\nC. kiwi\nD. fig"))
                strong.append(1); weak.append(1)
            default:  // open form, both right half the time
                inputs.append(FeatureInput(prompt: "Tom has \(k) marbles and gives away 3. How many are left?"))
                strong.append(Double(k % 2)); weak.append(Double(k % 2))
            }
        }
        return (inputs, strong, weak)
    }

    static func trained() -> LearnedModel {
        let (inputs, strong, weak) = rows(300, seed: 3)
        let extractor = FeatureExtractor(settings: settings)
        let features = inputs.map(extractor.extract)
        let gain = zip(strong, weak).map { (1 + $0 - $1) / 2 }
        return TrainingRun.fit(features, targets: gain, rows: Array(features.indices), settings: settings,
                               options: TrainingOptions(epochs: 15, batchSize: 32, learningRate: 0.05, l2: 1e-4, seed: 1),
                               choiceHeads: TrainingRun.ChoiceTargets(strong: strong, weak: weak))
    }

    @Test func headsLearnWhichChoiceQuestionsGainAndServingAgrees() throws {
        let model = Self.trained()
        let heads = try #require(model.choiceHeads)
        #expect(heads.strong.hashedWeights.count == Self.settings.hashedCount && model.problem() == nil)
        let extractor = FeatureExtractor(settings: Self.settings)
        let inputs = Self.rows(90, seed: 77).inputs  // fresh rows
        var gainScores: [Double] = [], flatScores: [Double] = []
        for (i, input) in inputs.enumerated() {
            let x = extractor.extract(input)
            let served = model.score(input)
            // The serving scan and the training path give the same score (up to summation order).
            #expect(abs(served - model.score(x)) < 1e-12, "\(input.query)")
            #expect(abs(model.margin(input) - model.margin(x)) < 1e-9)
            #expect(served > 0 && served < 1)
            if i % 3 == 0 { gainScores.append(served) } else if i % 3 == 1 { flatScores.append(served) }
        }
        // Every multiple-choice question the strong model alone gets right scores above every one both get right.
        #expect(gainScores.min()! > flatScores.max()!, "gain \(gainScores.min()!) vs flat \(flatScores.max()!)")
        // An open-form query is scored by the main weights alone.
        let open = FeatureInput(prompt: "Tom has 7 marbles and gives away 3. How many are left?")
        var mainOnly = model
        mainOnly.choiceHeads = nil
        #expect(model.score(open) == mainOnly.score(open))
        let choice = FeatureInput(prompt: "Which lemma about eigenvalue 5 holds?\nA. one\nB. two\nC. three\nD. four")
        #expect(model.score(choice) != mainOnly.score(choice))
        // Explanations follow the heads for a choice question.
        #expect(!model.contributions(choice).isEmpty)
    }

    @Test func fileRoundTripsHeadsAndKeepsVersionOne() throws {
        let model = Self.trained()
        let training = TrainingSummary(
            data: ["x.jsonl"], rows: 300, positives: 100, rowsBySource: ["x": 300], models: LabelPolicy.routeLLMModels,
            label: "gain", margin: 0, split: "none", holdoutBy: "random", holdoutFraction: 0.2, seed: 1, heldOutCategories: [],
            heldOutRows: 0, optimiser: "adam", epochs: 15, batchSize: 32, learningRate: 0.05, l2: 1e-4, command: "test")
        let file = ModelFile(name: "heads", model: model, thresholds: ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.6),
                             thresholdsHow: "by hand", training: training, metrics: [:])
        let bytes = file.encode()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"format_version\" : 2") && text.contains("\"choice_heads\""))
        let back = try ModelFile.decode(bytes)
        #expect(back == file)
        let heads = try #require(back.model.choiceHeads)
        #expect(heads.strong.hashedWeights.map(\.bitPattern) == model.choiceHeads!.strong.hashedWeights.map(\.bitPattern))
        #expect(heads.weak.bias.bitPattern == model.choiceHeads!.weak.bias.bitPattern)
        #expect(back.encode() == bytes)
        let choice = FeatureInput(prompt: "Which lemma about eigenvalue 5 holds?\nA. one\nB. two")
        #expect(back.model.score(choice).bitPattern == model.score(choice).bitPattern)

        // Without heads the file is version 1 (as files written before heads existed) and loads.
        var plain = file
        plain.model.choiceHeads = nil
        let v1 = String(decoding: plain.encode(), as: UTF8.self)
        #expect(v1.contains("\"format_version\" : 1") && !v1.contains("choice_heads"))
        #expect(try ModelFile.decode(Array(v1.utf8)) == plain)
        // A version-1 file cannot carry heads; heads of the wrong size are refused.
        let lying = text.replacingOccurrences(of: "\"format_version\" : 2", with: "\"format_version\" : 1")
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Array(lying.utf8)) }
        var short = file
        short.model.choiceHeads!.weak.denseWeights.removeLast()
        #expect(throws: ModelFileError.self) { try ModelFile.decode(short.encode()) }
    }
}
