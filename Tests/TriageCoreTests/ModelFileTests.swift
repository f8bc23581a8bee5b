import Foundation
import Testing
import TriageCore

@Suite struct ModelFileTests {
    static func sample() -> ModelFile {
        let settings = FeatureSettings(hashBits: 10, charNGramMin: 2, charNGramMax: 4)
        var rng = SplitMix64(seed: 1)
        var model = LearnedModel(features: settings)
        // Random bit patterns (finite ones) plus awkward values, and plenty of exact zeros (sparse).
        model.hashedWeights = model.hashedWeights.indices.map { i -> Double in
            if i % 3 == 0 { return 0 }
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            return d
        }
        let awkward: [Double] = [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.ulpOfOne, 0.1, 1 / 3, .pi, Double.leastNormalMagnitude / 3]
        for (k, v) in awkward.enumerated() { model.hashedWeights[3 * k + 1] = v }
        model.denseWeights = model.denseWeights.indices.map { awkward[$0 % awkward.count] + Double($0) }
        model.denseMean = model.denseMean.indices.map { Double($0) / 7 }
        model.denseScale = model.denseScale.indices.map { 1 + Double($0) / 3 }
        model.bias = -1.2345678901234567
        let training = TrainingSummary(
            data: ["mmlu.jsonl", "gsm8k.jsonl"], rows: 9000, positives: 1500, rowsBySource: ["mmlu": 8200, "gsm8k": 800],
            models: LabelPolicy.routeLLMModels, label: "binary", margin: 0.1, split: "holdout-by category",
            holdoutBy: "category", holdoutFraction: 0.2, seed: 1, heldOutCategories: ["mmlu/anatomy"], heldOutRows: 2000,
            optimiser: "adam", epochs: 20, batchSize: 128, learningRate: 0.02, l2: 1e-4, command: "triage train")
        return ModelFile(name: "test", model: model, thresholds: ScoreThresholds(simpleBelow: 0.1 + 0.2, complexFrom: 2.0 / 3),
                         thresholdsHow: "by hand", training: training,
                         metrics: ["mmlu": ModelMetrics(rows: 2000, apgr: 0.61234, cpt50: 1 / 3, cpt80: .nan, randomAPGR: 0.5, oracleAPGR: 1.07)])
    }

    @Test func roundTripsBitForBit() throws {
        let file = Self.sample()
        let bytes = file.encode()
        let back = try ModelFile.decode(bytes)
        #expect(back == file)
        #expect(back.model.hashedWeights.map(\.bitPattern) == file.model.hashedWeights.map(\.bitPattern))
        #expect(back.model.bias.bitPattern == file.model.bias.bitPattern)
        #expect(back.metrics["mmlu"]!.cpt80.value.isNaN)
        #expect(back.encode() == bytes)
    }

    @Test func decodedModelScoresIdentically() throws {
        let file = Self.sample()
        var model = file.model
        model.hashedWeights = model.hashedWeights.map { $0.magnitude < 10 ? $0 : 0 }
        var small = file
        small.model = model
        let back = try ModelFile.decode(small.encode())
        let input = FeatureInput(prompt: "Derive the closed form of the sum, then compare it with the integral.")
        #expect(back.model.score(input).bitPattern == model.score(input).bitPattern)
    }

    @Test func rejectsNewerVersionsAndCorruptFiles() throws {
        var text = String(decoding: Self.sample().encode(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 99")
        #expect(throws: ModelFileError.unsupportedVersion(99, supported: ModelFile.formatVersion)) { try ModelFile.decode(Array(text.utf8)) }
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Array("{}".utf8)) }
        let badBits = String(decoding: Self.sample().encode(), as: UTF8.self)
            .replacingOccurrences(of: "\"hash_bits\" : 10", with: "\"hash_bits\" : 11")
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Array(badBits.utf8)) }
    }
}
