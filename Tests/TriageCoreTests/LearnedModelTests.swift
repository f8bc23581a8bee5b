import Testing
import TriageCore

@Suite struct LearnedModelTests {
    static let settings = FeatureSettings(hashBits: 12, charNGramMin: 3, charNGramMax: 4)

    /// A separable synthetic set: class 1 prompts mention a "hard" topic word, class 0 an "easy" one,
    /// both padded with shared filler words in random order and length.
    static func synthetic(_ count: Int, seed: UInt64) -> (inputs: [FeatureInput], labels: [Double]) {
        var rng = SplitMix64(seed: seed)
        let hard = ["theorem", "eigenvalue", "compiler", "thermodynamics", "jurisprudence"]
        let easy = ["weather", "banana", "holiday", "colour", "breakfast"]
        let filler = ["the", "a", "of", "what", "is", "about", "tell", "me", "please", "today", "some", "question"]
        var inputs: [FeatureInput] = []
        var labels: [Double] = []
        for i in 0..<count {
            let positive = i % 2 == 0
            var words = (0..<(3 + rng.below(12))).map { _ in filler[rng.below(filler.count)] }
            let topic = positive ? hard[rng.below(hard.count)] : easy[rng.below(easy.count)]
            words.insert(topic, at: rng.below(words.count + 1))
            inputs.append(FeatureInput(prompt: words.joined(separator: " ")))
            labels.append(positive ? 1 : 0)
        }
        return (inputs, labels)
    }

    static func train(seed: UInt64) -> LearnedModel {
        let (inputs, labels) = synthetic(400, seed: 11)
        let extractor = FeatureExtractor(settings: settings)
        return LogisticTrainer.train(inputs.map(extractor.extract), targets: labels, settings: settings,
                                     options: TrainingOptions(epochs: 15, batchSize: 32, learningRate: 0.05, l2: 1e-4, seed: seed))
    }

    @Test func learnsASeparableSet() {
        let model = Self.train(seed: 5)
        let (inputs, labels) = Self.synthetic(400, seed: 99)  // fresh rows, same vocabulary
        var correct = 0
        for (x, y) in zip(inputs, labels) where (model.score(x) >= 0.5) == (y == 1) { correct += 1 }
        let accuracy = Double(correct) / Double(inputs.count)
        #expect(accuracy >= 0.98, "accuracy \(accuracy)")
    }

    @Test func trainingIsDeterministicForASeed() {
        let a = Self.train(seed: 7), b = Self.train(seed: 7), c = Self.train(seed: 8)
        #expect(a.hashedWeights.map(\.bitPattern) == b.hashedWeights.map(\.bitPattern))
        #expect(a.denseWeights.map(\.bitPattern) == b.denseWeights.map(\.bitPattern))
        #expect(a.bias.bitPattern == b.bias.bitPattern)
        #expect(a.hashedWeights != c.hashedWeights)
    }

    @Test func splitMixIsStable() {
        var r = SplitMix64(seed: 0)
        // Reference values of SplitMix64 seeded with 0.
        #expect(r.next() == 0xe220_a839_7b1d_cdaf)
        #expect(r.next() == 0x6e78_9e6a_a1b9_65f4)
        var a = Array(0..<10), b = Array(0..<10)
        var r1 = SplitMix64(seed: 42), r2 = SplitMix64(seed: 42)
        r1.shuffle(&a)
        r2.shuffle(&b)
        #expect(a == b && a != Array(0..<10) && a.sorted() == Array(0..<10))
    }

    @Test func classifierMapsScoresOntoTheLadder() throws {
        var model = LearnedModel(features: Self.settings)
        let t = ScoreThresholds(simpleBelow: 0.4, complexFrom: 0.7)
        #expect(t.complexity(for: 0.39) == .simple)
        #expect(t.complexity(for: 0.4) == .medium)
        #expect(t.complexity(for: 0.7) == .complex)
        model.bias = 2  // σ(2) ≈ 0.88 everywhere
        let c = LearnedClassifier(model: model, thresholds: t, label: "v1").classify(try chatRequest([("user", "hi")]))
        #expect(c.complexity == .complex)
        #expect(abs(c.score - 0.8807970779778823) < 1e-12)
        #expect(c.reason == "P(needs stronger) 0.881 >= 0.7 (v1)")
        let router = TierRouter(ladder: ladder(["simple", "complex"]), classifier: LearnedClassifier(model: model, thresholds: t))
        #expect(try router.decide(try chatRequest([("user", "hi")])).tier == "complex")
    }
}
