import Foundation
import Testing
import TriageCore

@Suite struct LBFGSTrainerTests {
    static let settings = LearnedModelTests.settings

    static func train(_ inputs: [FeatureInput], _ labels: [Double], l2: Double = 1e-4) -> LearnedModel {
        let extractor = FeatureExtractor(settings: settings)
        return LBFGSTrainer.train(inputs.map(extractor.extract), targets: labels, settings: settings,
                                  options: TrainingOptions(l2: l2, optimiser: .lbfgs))
    }

    /// Penalised mean log-loss of a model on inputs, as both trainers define it.
    static func objective(_ model: LearnedModel, _ inputs: [FeatureInput], _ labels: [Double], l2: Double) -> Double {
        let extractor = FeatureExtractor(settings: settings)
        var loss = 0.0
        for (x, y) in zip(inputs, labels) {
            let p = min(max(model.score(extractor.extract(x)), 1e-15), 1 - 1e-15)
            loss -= y * log(p) + (1 - y) * log(1 - p)
        }
        let penalty = (model.denseWeights + model.hashedWeights).reduce(0) { $0 + $1 * $1 } * l2 / 2
        return loss / Double(inputs.count) + penalty
    }

    @Test func learnsASeparableSet() {
        let (inputs, labels) = LearnedModelTests.synthetic(400, seed: 11)
        let model = Self.train(inputs, labels)
        let (fresh, freshLabels) = LearnedModelTests.synthetic(400, seed: 99)
        var correct = 0
        for (x, y) in zip(fresh, freshLabels) where (model.score(x) >= 0.5) == (y == 1) { correct += 1 }
        let accuracy = Double(correct) / Double(fresh.count)
        #expect(accuracy >= 0.98, "accuracy \(accuracy)")
    }

    @Test func reachesALowerObjectiveThanAdamAndIsDeterministic() {
        let (inputs, labels) = LearnedModelTests.synthetic(300, seed: 3)
        let l2 = 1e-2
        let a = Self.train(inputs, labels, l2: l2), b = Self.train(inputs, labels, l2: l2)
        #expect(a.hashedWeights.map(\.bitPattern) == b.hashedWeights.map(\.bitPattern))
        #expect(a.denseWeights.map(\.bitPattern) == b.denseWeights.map(\.bitPattern))
        #expect(a.bias.bitPattern == b.bias.bitPattern)
        let extractor = FeatureExtractor(settings: Self.settings)
        let adam = LogisticTrainer.train(inputs.map(extractor.extract), targets: labels, settings: Self.settings,
                                         options: TrainingOptions(epochs: 15, batchSize: 32, learningRate: 0.05, l2: l2, seed: 1))
        let fl = Self.objective(a, inputs, labels, l2: l2), fa = Self.objective(adam, inputs, labels, l2: l2)
        #expect(fl <= fa + 1e-9, "L-BFGS \(fl) vs Adam \(fa)")
    }

    @Test func fitsSoftTargetsToTheirMeanWithoutFeatures() {
        // Constant inputs: the optimum is the bias alone, at the log-odds of the mean target.
        let inputs = [FeatureInput](repeating: FeatureInput(prompt: "same"), count: 8)
        let labels = [1, 1, 1, 0, 0.5, 0.5, 1, 0.0]
        let model = Self.train(inputs, labels, l2: 10)
        #expect(abs(model.score(inputs[0]) - 0.625) < 1e-3, "\(model.score(inputs[0]))")
    }
}
