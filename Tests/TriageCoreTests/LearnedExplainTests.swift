import Testing
import TriageCore

@Suite struct LearnedExplainTests {
    /// A model with deterministic pseudo-random weights.
    static func model() -> LearnedModel {
        var m = LearnedModel(features: FeatureSettings(hashBits: 12))
        var rng = SplitMix64(seed: 42)
        func w() -> Double { Double(rng.next() % 2001) / 1000 - 1 }
        m.denseWeights = m.denseWeights.map { _ in w() }
        m.hashedWeights = m.hashedWeights.map { _ in w() }
        m.bias = 0.3
        return m
    }

    @Test func contributionsAddUpToTheScoreAndAreNamed() {
        let m = Self.model()
        let input = FeatureInput(prompt: "Prove that the sum of two even numbers is even, step by step.")
        let all = m.contributions(input, top: 100_000)
        let total = all.reduce(m.bias) { $0 + $1.contribution }
        #expect(abs(total - m.margin(input)) < 1e-9, "weight × value sums to the log-odds")
        #expect(all.contains { $0.feature == "word \"prove\"" })
        #expect(all.contains { $0.feature == "bigram \"two even\"" })
        #expect(all.contains { $0.feature.hasPrefix("chars of ") })
        let top = m.contributions(input, top: 10)
        #expect(top.count == 10)
        #expect(zip(top, top.dropFirst()).allSatisfy { abs($0.contribution) >= abs($1.contribution) })
        #expect(top == Array(all.prefix(10)))
    }
}
