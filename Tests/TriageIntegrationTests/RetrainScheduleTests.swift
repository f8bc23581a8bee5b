import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// The coordinator's scheduled retraining (`retrain: {every_h, data}`) when the guardrail keeps
    /// its candidate out.
    @Suite struct RetrainScheduleTests {
        /// Synthetic data whose held-out categories (by the retrainer's split: by category, 20%,
        /// seed 1) reverse the pattern of the others: a candidate trained on the rest routes the
        /// held-out prompts the wrong way round and the guardrail keeps it out.
        static func reversedData(rows: Int) throws -> String {
            let (weak, strong) = (LabelPolicy.routeLLMModels[0], LabelPolicy.routeLLMModels[1])
            func prompt(_ i: Int) -> String {
                i % 2 == 0 ? "Prove rigorously that theorem \(i) holds, deriving each lemma." : "What colour is fruit number \(i)? Answer in one word."
            }
            let plain = (0..<rows).map { RoutingExample(id: "rev/\($0)", source: "rev", category: "c\($0 / 2 % 10)", prompt: prompt($0),
                                                        scores: [weak: 1, strong: 1]) }
            let held = Set(HoldoutSplit(plain, mode: .byCategory, fraction: 0.2, seed: 1).heldOut)
            return plain.enumerated().map { i, e in
                let hard = (i % 2 == 0) != held.contains(i)
                return #"{"id":"\#(e.id)","source":"rev","category":"\#(e.category)","prompt":"\#(e.prompt)","scores":{"\#(weak)":\#(hard ? 0.0 : 1.0),"\#(strong)":1.0}}"#
            }.joined(separator: "\n") + "\n"
        }

        @Test func aCandidateKeptOutIsNotRetrainedUntilSomethingNewIsLogged() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let data = try env.dir.write("reversed.jsonl", try Self.reversedData(rows: 200))
            var spec = ClusterSpec(workers: 1)
            spec.classifierKind = "learned"
            spec.retrain = "{every_h: 0.0003, data: [\"\(data)\"]}"  // about every second
            // Before the first run, the active version sends everything to the strong model: accuracy 1 on this data.
            let dataDir = env.dir.file("data")
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            let config = try env.dir.write("pre.yaml", spec.yaml(dataDir: dataDir))
            let model = try env.dir.write("strong.json", String(decoding: ClassifierReloadTests.modelFile(name: "strong", bias: 5), as: UTF8.self))
            let installed = try await env.run(["classifier", "install", model, "--config", config, "--data-dir", dataDir])
            #expect(installed.status == 0, "\(installed.output)")
            let cluster = try await env.startCluster(spec)
            #expect(cluster.dataDir == dataDir)
            let store = try cluster.store()
            func logMisroute(_ id: String) throws {
                try store.logMisroute(MisrouteRecord(requestID: id, createdAt: Date(), teamID: nil, queryHash: RetrainLabels.queryHash("What is 2 + 2?"),
                                                     queryText: "What is 2 + 2?", features: nil, firstTier: "simple", finalTier: "medium",
                                                     reason: "low_quality: refusal", score: 0.1))
            }
            // Log lines end with `[TriageCoordinator] <message>`.
            func lines(_ message: String, log: String = "up") throws -> [String] {
                try String(contentsOfFile: env.dir.file("\(log).log"), encoding: .utf8).split(separator: "\n").map(String.init)
                    .filter { $0.hasSuffix("[TriageCoordinator] " + message) }
            }
            let skip = "retraining skipped: nothing new since the last candidate was kept out"
            // Something learned: the schedule trains a candidate, and the guardrail keeps it out.
            try logMisroute("req_1")
            let first = await poll(timeout: .seconds(30), interval: .milliseconds(200)) { try? lines("retrained").first }
            let line = try #require(first, "\(cluster.up.logTail(30))")
            #expect(line.contains("triage.retrain=kept v1: candidate "), "\(line)")
            // Nothing new since: the later runs skip, saying why, instead of training the same candidate again.
            let skipped = await poll(timeout: .seconds(10), interval: .milliseconds(200)) { () -> Int? in
                let n = (try? lines(skip).count) ?? 0
                return n >= 3 ? n : nil
            }
            #expect(skipped != nil, "no skip logged:\n\(cluster.up.logTail(20))")
            #expect(try lines("retrained").count == 1, "the kept-out candidate was trained again")
            #expect(try lines(skip).first?.contains("triage.retrain=kept v1: candidate ") == true)
            #expect(try store.retrainKeptOut()?.verdict.hasPrefix("kept v1: candidate ") == true, "recorded in the store")
            // A restarted coordinator remembers the kept-out candidate (it is in the store): it skips
            // rather than training the same candidate once more.
            await cluster.up.stop()
            let restarted = try await env.startCluster(spec, name: "up2")
            let skippedAfterRestart = await poll(timeout: .seconds(10), interval: .milliseconds(200)) { () -> Int? in
                let n = (try? lines(skip, log: "up2").count) ?? 0
                return n >= 2 ? n : nil
            }
            #expect(skippedAfterRestart != nil, "no skip logged after the restart:\n\(restarted.up.logTail(20))")
            #expect(try lines("retrained", log: "up2").isEmpty, "the restarted coordinator trained the kept-out candidate again")
            // A new label: the next run trains again.
            try logMisroute("req_2")
            let again = await poll(timeout: .seconds(60), interval: .milliseconds(200)) { (try? lines("retrained", log: "up2").count).flatMap { $0 >= 1 ? $0 : nil } }
            #expect(again == 1)
            #expect(try store.activeClassifierVersion() == 1, "the strong-only version stays active")
        }
    }
}
