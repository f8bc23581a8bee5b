import Foundation
import Testing
import TriageCore

extension Integration {
    /// `triage calibrate` as a user runs it: on a trained model file and on stored versions.
    @Suite struct CalibrateCommandTests {
        /// Like ``TrainEvalCommandTests/syntheticData(rows:)``, with filler words that vary from row
        /// to row, so the model's scores spread out and quantiles can be cut between any two rows.
        static func syntheticData(rows: Int) -> String {
            var lines: [String] = []
            for i in 0..<rows {
                let hard = i % 2 == 0
                // Letters only (the word features skip digits): "tagd mark…", a word per residue.
                func word(_ prefix: String, _ n: Int) -> String {
                    prefix + String(String(n).unicodeScalars.map { Character(Unicode.Scalar($0.value - 48 + 97)!) })
                }
                let filler = [word("tag", i % 7), word("mark", i % 11), word("note", i % 13), word("item", i % 17)].joined(separator: " ")
                let prompt = hard ? "Prove rigorously that theorem \(i) holds, deriving each lemma. \(filler)"
                    : "What colour is fruit number \(i)? Answer in one word. \(filler)"
                let weak = hard ? 0.0 : 1.0
                lines.append(#"{"id":"syn/\#(i)","source":"syn","category":"c\#(i % 5)","prompt":"\#(prompt)","scores":{"mixtral-8x7b-instruct-v0.1":\#(weak),"gpt-4-1106-preview":1.0}}"#)
            }
            return lines.joined(separator: "\n") + "\n"
        }

        @Test func sharesAndKeptGapOnASyntheticSet() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let data = try env.dir.write("syn.jsonl", Self.syntheticData(rows: 200))
            let model = env.dir.file("model.json")
            let train = try await env.run(["train", "--data", data, "--out", model, "--holdout-by", "random", "--epochs", "3", "--hash-bits", "10"],
                                    timeout: .seconds(60))
            #expect(train.status == 0, "\(train.output)")
            let config = try env.dir.write("c.yaml", ClusterSpec(workers: 0).yaml(dataDir: env.dir.file("data")))

            let shares = try await env.run(["calibrate", "--config", config, "--data", data, "--classifier", "learned:\(model)",
                                      "--share", "simple=0.6,medium=0.3,complex=0.1"])
            #expect(shares.status == 0, "\(shares.output)")
            #expect(shares.output.contains("after simple 60.0%, medium 30.0%, complex 10.0%"), "\(shares.output)")
            let file = try ModelFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: model))))
            #expect(file.thresholdsHow == "calibrate --share simple=0.6,medium=0.3,complex=0.1 on 200 rows")
            // The written thresholds give those shares.
            let scores = try Self.syntheticData(rows: 200).split(separator: "\n").map { line in
                let prompt = try #require(try JSONValue.parse(Array(line.utf8))["prompt"]?.stringValue)
                return file.model.score(FeatureInput(prompt: prompt))
            }
            let got = ThresholdCalibration.shares(scores, file.thresholds)
            #expect(abs(got.simple - 0.6) < 0.011 && abs(got.complex - 0.1) < 0.011, "\(got)")

            // Half the rows need the strong model and the model separates them: keeping the whole gap
            // takes about half the traffic past the cheapest tier, installed as the active version.
            let gap = try await env.run(["calibrate", "--config", config, "--data", data, "--classifier", "learned:\(model)",
                                   "--keep-gap", "1", "--out", env.dir.file("gap.json"), "--install"])
            #expect(gap.status == 0, "\(gap.output)")
            #expect(gap.output.contains("kept 100.0% of the quality gap with 50.0% of queries past the cheapest tier"), "\(gap.output)")
            #expect(gap.output.contains("installed as version 1 (active)"), "\(gap.output)")

            // A stored version calibrates into a new version.
            let stored = try await env.run(["calibrate", "--config", config, "--data", data, "--share", "simple=0.5,medium=0.5"])
            #expect(stored.status == 0, "\(stored.output)")
            #expect(stored.output.contains("stored as version 2 (calibrated from version 1)"), "\(stored.output)")

            let bad = try await env.run(["calibrate", "--config", config, "--data", data, "--share", "simple=0.9,medium=0.3"])
            #expect(bad.status != 0)
            #expect(bad.output.contains("summing to 1"), "\(bad.output)")
        }
    }
}
