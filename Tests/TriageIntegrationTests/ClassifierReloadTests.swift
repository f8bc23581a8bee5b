import Foundation
import Testing
import TriageCore

extension Integration {
    /// A running cluster switches to a newly installed classifier version without a restart.
    @Suite struct ClassifierReloadTests {
        /// A model whose score is σ(bias) for every query: all-simple or all-complex.
        static func modelFile(name: String, bias: Double) -> [UInt8] {
            let model = LearnedModel(features: FeatureSettings())
            var biased = model
            biased.bias = bias
            let training = TrainingSummary(data: ["synthetic"], rows: 0, positives: 0, rowsBySource: [:], models: [], label: "constant",
                                           margin: 0, split: "none", holdoutBy: "none", holdoutFraction: 0, seed: 0, heldOutCategories: [],
                                           heldOutRows: 0, optimiser: "none", epochs: 0, batchSize: 0, learningRate: 0, l2: 0,
                                           command: "test")
            return ModelFile(name: name, model: biased, thresholds: ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.8),
                             thresholdsHow: "fixed", training: training, metrics: [:]).encode()
        }

        @Test func installedVersionsTakeEffectLiveAndCanBeRolledBack() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 2, classifierKind: "learned"))
            let question = "What is the capital of France?"
            let cli = cluster.cli
            // No model installed: the rules stand in.
            let before = try await cluster.chat(question)
            #expect(before.headers["x-triage-tier"] == "simple")
            #expect(before.headers["x-triage-classifier"]?.hasPrefix("rules") == true)

            let hard = try env.dir.write("hard.json", String(decoding: Self.modelFile(name: "all-complex", bias: 5), as: UTF8.self))
            #expect(try await cli(["classifier", "install", hard]).contains("version 1"))
            let switched = await eventually(timeout: .seconds(6), interval: .milliseconds(200)) {
                guard let r = try? await cluster.chat(question) else { return false }
                return r.headers["x-triage-classifier"] == "learned:v1" && r.headers["x-triage-tier"] == "complex"
            }
            #expect(switched, "workers did not pick up version 1")

            let easy = try env.dir.write("easy.json", String(decoding: Self.modelFile(name: "all-simple", bias: -5), as: UTF8.self))
            _ = try await cli(["classifier", "install", easy])
            let second = await eventually(timeout: .seconds(6), interval: .milliseconds(200)) {
                (try? await cluster.chat(question))?.headers["x-triage-tier"] == "simple"
            }
            #expect(second)
            // Roll back to version 1, and export it bit for bit.
            _ = try await cli(["classifier", "activate", "1"])
            let rolledBack = await eventually(timeout: .seconds(6), interval: .milliseconds(200)) {
                (try? await cluster.chat(question))?.headers["x-triage-classifier"] == "learned:v1"
            }
            #expect(rolledBack)
            let out = env.dir.file("v1.json")
            _ = try await cli(["classifier", "export", "1", "--out", out])
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: out))) == Self.modelFile(name: "all-complex", bias: 5))
            #expect(try await cli(["classifier", "list"]).contains("all-simple"))
            // The audit trail says who changed the routing model, and what each change replaced.
            let trail = try await JSONValue.parse(Array(try cli(["audit", "--json"]).utf8)).arrayValue ?? []
            #expect(trail.compactMap { $0["detail"]?.stringValue } == ["replacing v2", "'all-simple', active, replacing v1", "'all-complex', active, replacing none"],
                    "\(trail)")
            #expect(trail.allSatisfy { $0["actor"]?.stringValue?.hasPrefix("cli ") == true })
        }
    }
}
