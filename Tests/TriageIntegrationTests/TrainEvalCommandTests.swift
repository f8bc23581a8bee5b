import Foundation
import Testing
import TriageCore

extension Integration {
    /// `triage train` and `triage eval` as a user runs them: on a data file, to a model file,
    /// with progress lines when the output is not a terminal.
    @Suite struct TrainEvalCommandTests {
        /// Routing data where hard queries (the strong model alone gets them right) use words the
        /// easy ones never use, so any working trainer separates them.
        static func syntheticData(rows: Int) -> String {
            var lines: [String] = []
            for i in 0..<rows {
                let hard = i % 2 == 0
                let prompt = hard
                    ? "Prove rigorously that theorem \(i) holds, deriving each lemma and the asymptotic bound."
                    : "What colour is fruit number \(i)? Answer in one word."
                let weak = hard ? 0.0 : 1.0
                lines.append(#"{"id":"syn/\#(i)","source":"syn","category":"c\#(i % 5)","prompt":"\#(prompt)","scores":{"mixtral-8x7b-instruct-v0.1":\#(weak),"gpt-4-1106-preview":1.0}}"#)
            }
            return lines.joined(separator: "\n") + "\n"
        }

        @Test func trainThenEvalWithProgress() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let data = try env.dir.write("syn.jsonl", Self.syntheticData(rows: 300))
            let model = env.dir.file("model.json")

            let train = try await env.run(["train", "--data", data, "--out", model, "--holdout-by", "random", "--epochs", "4",
                                     "--hash-bits", "10"], timeout: .seconds(60))
            #expect(train.status == 0, "\(train.output)")
            // Not a terminal: plain progress lines with counts and rates, ending at the total.
            #expect(train.output.contains("features 100% 300/300 rows · "), "\(train.output)")
            // Three fits of 4 epochs: the main weights and the two choice heads.
            #expect(train.output.contains("12/12 epochs · "), "\(train.output)")
            #expect(!train.output.contains("\u{1B}["), "no terminal escapes in plain output")
            let file = try ModelFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: model))))
            #expect(file.training.rows > 0)

            let scores = env.dir.file("scores.jsonl")
            let eval = try await env.run(["eval", "--data", data, "--classifier", "learned:\(model)", "--held-out", "--out", scores],
                                   timeout: .seconds(60))
            #expect(eval.status == 0, "\(eval.output)")
            #expect(eval.output.contains(#/eval learned[^\n]* 100% \d+/\d+ queries · /#), "\(eval.output)")
            let lines = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == file.training.heldOutRows)
            var hardScores: [Double] = [], easyScores: [Double] = []
            for line in lines {
                let row = try JSONValue.parse(Array(line.utf8))
                let id = try #require(row["id"]?.stringValue)
                let score = try #require(row["score"]?.doubleValue)
                #expect(row["tier"]?.stringValue != nil)
                let index = try #require(Int(id.dropFirst("syn/".count)))
                if index % 2 == 0 { hardScores.append(score) } else { easyScores.append(score) }
            }
            // The held-out hard queries score above every held-out easy one: the model learned the data.
            #expect(!hardScores.isEmpty && !easyScores.isEmpty)
            #expect((hardScores.min() ?? 0) > (easyScores.max() ?? 1), "hard \(hardScores), easy \(easyScores)")
            #expect(eval.output.contains("APGR"), "\(eval.output)")
        }

        /// A category the strongest model loses by far (a grading artefact) is left out of training by
        /// default, whole; `--keep-inverted` keeps it; the L-BFGS optimiser trains the same data.
        @Test func invertedCategoriesAreLeftOutOfTraining() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var text = Self.syntheticData(rows: 200)
            for i in 0..<100 {
                text += #"{"id":"inv/\#(i)","source":"syn","category":"inverted","prompt":"Compute sum \#(i) of the series.","scores":{"mixtral-8x7b-instruct-v0.1":\#(i % 2),"gpt-4-1106-preview":0.0}}"# + "\n"
            }
            let data = try env.dir.write("syn.jsonl", text)
            let model = env.dir.file("model.json")
            let common = ["train", "--data", data, "--out", model, "--holdout-by", "random", "--epochs", "2", "--hash-bits", "10"]
            let dropped = try await env.run(common + ["--optimiser", "lbfgs"], timeout: .seconds(60))
            #expect(dropped.status == 0, "\(dropped.output)")
            #expect(dropped.output.contains("not trained on: inverted"), "\(dropped.output)")
            let match = try #require(dropped.output.firstMatch(of: #/excluded from training: (\d+) rows of inverted/#), "\(dropped.output)")
            let excluded = try #require(Int(match.1))
            #expect(excluded >= 50 && excluded <= 100)
            let file = try ModelFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: model))))
            #expect(file.training.optimiser.contains("L-BFGS"), "\(file.training)")
            let kept = try await env.run(common + ["--keep-inverted"], timeout: .seconds(60))
            #expect(kept.status == 0 && !kept.output.contains("not trained on"), "\(kept.output)")
            let keptFile = try ModelFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: model))))
            #expect(keptFile.training.rows == file.training.rows + excluded, "same split, the inverted rows back in")
        }

        /// `--cv K` with a single `--l2` measures it by group K-fold cross-validation on the training rows
        /// (the figures training options are chosen on) and says so; without `--cv` nothing is cross-validated.
        @Test func crossValidationReportsOneSetting() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let data = try env.dir.write("syn.jsonl", Self.syntheticData(rows: 200))
            let model = env.dir.file("model.json")
            let common = ["train", "--data", data, "--out", model, "--holdout-by", "random", "--epochs", "3", "--hash-bits", "10"]
            let cv = try await env.run(common + ["--cv", "3"], timeout: .seconds(60))
            #expect(cv.status == 0, "\(cv.output)")
            let match = try #require(cv.output.firstMatch(of: #/cv l2=0\.01: mean APGR ([0-9.]+) \(syn ([0-9.]+)\)/#), "\(cv.output)")
            // Separable data, half of it hard: a perfect ranking scores 0.75 (PGR reaches 1 at half the
            // traffic), a random one 0.5.
            #expect((Double(match.1) ?? 0) > 0.7, "\(cv.output)")
            #expect(!cv.output.contains("cv chose"), "one value is measured, not chosen: \(cv.output)")
            let plain = try await env.run(common, timeout: .seconds(60))
            #expect(plain.status == 0 && !plain.output.contains("cv l2="), "\(plain.output)")
        }

        /// Out-of-range training options are refused by name (they used to trap: an empty epoch range,
        /// a negative prefix in the split).
        @Test func outOfRangeOptionsAreRefusedNotCrashed() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let data = try env.dir.write("syn.jsonl", Self.syntheticData(rows: 20))
            let model = env.dir.file("model.json")
            for (args, message) in [(["train", "--data", data, "--out", model, "--epochs=0"], "--epochs must be at least 1"),
                                    (["train", "--data", data, "--out", model, "--holdout-fraction=-0.5"], "--holdout-fraction must be in [0, 1)"),
                                    (["retrain", "--data", data, "--epochs=-1"], "--epochs must be at least 1"),
                                    (["retrain", "--data", data, "--holdout-fraction=0"], "--holdout-fraction must be in (0, 1)"),
                                    (["route", "--top=-1", "What is 2 + 2?"], "--top must not be negative"),
                                    (["calibrate", "--data", data, "--keep-gap", "0.5", "--models", ""], "--models needs at least two models")] {
                let r = try await env.run(args, timeout: .seconds(30))
                #expect(r.status == 64, "\(args): \(r.output)")  // ArgumentParser's validation exit code, not a trap
                #expect(r.output.contains(message), "\(args): \(r.output)")
            }
        }
    }
}
