import Foundation
import Testing
import TriageCore

extension Integration {
    /// `triage route` shows every classifier's score and the learned model's weightiest features.
    @Suite struct RouteScoresTests {
        @Test func routeShowsEachClassifiersScoreAndTheLearnedFeatures() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim()
            var spec = ClusterSpec(provider: .openAI(baseURL: sim.openAIBase))
            spec.judge = "{provider: sim, model: judge-mini, timeout_ms: 2000}"
            let dataDir = env.dir.file("data")
            let config = try env.dir.write("route.yaml", spec.yaml(dataDir: dataDir))
            func route(_ args: [String]) async throws -> JSONValue {
                let r = try await env.run(["route", "--config", config, "--data-dir", dataDir] + args)
                guard r.status == 0 else { throw HarnessError(r.output) }
                return try RouteCommandTests.jsonObject(in: r.output)
            }

            // No model installed: rules and judge only.
            let before = try await route(["sim-rating=8 What is the capital of France?"])
            #expect(before["scores"]?["rules"]?["tier"]?.stringValue == "simple", "\(before)")
            #expect(before["scores"]?["learned"]?["error"] != nil)
            #expect(before["scores"]?["judge"]?["score"]?.doubleValue == 0.778, "\(before)")
            #expect(before["scores"]?["judge"]?["tier"]?.stringValue == "complex")
            #expect(before["classifier"]?.stringValue == "rules", "the config routes with the rules")
            #expect(try await sim.attempts()["judge-mini"] == 1)

            // A trained model installed: its score and its ten weightiest features.
            let data = try env.dir.write("syn.jsonl", CalibrateCommandTests.syntheticData(rows: 120))
            let model = env.dir.file("model.json")
            let train = try await env.run(["train", "--data", data, "--out", model, "--epochs", "3", "--hash-bits", "10"], timeout: .seconds(60))
            #expect(train.status == 0, "\(train.output)")
            let install = try await env.run(["classifier", "install", model, "--config", config, "--data-dir", dataDir])
            #expect(install.status == 0, "\(install.output)")
            let after = try await route(["--no-judge", "Prove rigorously that theorem 5 holds, deriving each lemma."])
            let learned = try #require(after["scores"]?["learned"])
            #expect(learned["model"]?.stringValue == "learned:v1", "\(after)")
            #expect((learned["score"]?.doubleValue ?? 0) > 0.5, "a hard query scores high")
            let features = try #require(learned["top_features"]?.arrayValue)
            #expect(features.count == 10)
            let parts = features.compactMap { $0["weight_x_value"]?.doubleValue }
            #expect(parts.count == 10)
            #expect(zip(parts, parts.dropFirst()).allSatisfy { abs($0) >= abs($1) }, "largest first: \(parts)")
            #expect(features.allSatisfy { $0["feature"]?.stringValue?.isEmpty == false })
            #expect(after["scores"]?["judge"] == nil, "--no-judge")
        }

        @Test func evalScoresDataWithTheJudge() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let sim = try await env.startSim()
            var spec = ClusterSpec(provider: .openAI(baseURL: sim.openAIBase))
            spec.judge = "{provider: sim, model: judge-mini, timeout_ms: 2000}"
            let config = try env.dir.write("eval.yaml", spec.yaml(dataDir: env.dir.file("data")))
            // The sim judge rates the hard rows ("prove … theorem") 4 and the easy ones 1, and only the
            // hard ones need the strong model: the judge ranks them perfectly.
            let data = try env.dir.write("syn.jsonl", TrainEvalCommandTests.syntheticData(rows: 40))
            let scores = env.dir.file("scores.jsonl")
            let r = try await env.run(["eval", "--config", config, "--data", data, "--classifier", "judge", "--out", scores], timeout: .seconds(60))
            #expect(r.status == 0, "\(r.output)")
            let line = try #require(r.output.split(separator: "\n").first { $0.wholeMatch(of: /judge\s+[0-9.]+\s+.*/) != nil })
            let apgr = try #require(Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
            #expect(apgr > 0.7, "well above random (0.5); two distinct ratings leave few curve points: \(r.output)")
            #expect(try await sim.attempts()["judge-mini"] == 40)
            let rows = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n")
            #expect(rows.count == 40)
            #expect(rows.contains { $0.contains(#""score":0.333"#) } || rows.contains { $0.contains("0.3333") }, "\(rows.prefix(2))")

            let none = try await env.run(["eval", "--config", try env.dir.write("nojudge.yaml", ClusterSpec(workers: 0).yaml(dataDir: env.dir.file("d2"))),
                                    "--data", data, "--classifier", "judge"])
            #expect(none.status != 0)
            #expect(none.output.contains("needs a judge section"), "\(none.output)")
        }
    }
}
