import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// `triage retrain` on the real store: logged labels are read, and the guardrail installs a
    /// better candidate and keeps a worse one out (unless forced).
    @Suite struct RetrainCommandTests {
        static let gsm8k = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/data/routellm/gsm8k.jsonl").standardizedFileURL.path

        static let config = """
            listen: 127.0.0.1:0
            data_dir: ./data
            providers:
              sim: {kind: sim, port: 0}
            tiers:
              - {name: cheap, provider: sim, model: mixtral-8x7b-instruct-v0.1, input_per_mtok: 0.24, output_per_mtok: 0.24}
              - {name: top, provider: sim, model: gpt-4-1106-preview, input_per_mtok: 10, output_per_mtok: 30}
            classifier: {kind: learned}
            """

        @Test(.enabled(if: FileManager.default.fileExists(atPath: RetrainCommandTests.gsm8k), "needs shared/data/routellm/gsm8k.jsonl"))
        func theGuardrailInstallsABetterVersionAndKeepsAWorseOneOut() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cfg = try env.dir.write("triage.yaml", Self.config)
            let store = try env.store(dataDir: env.dir.file("data"))
            // Production labels: two training-set queries climbed for a poor answer (stored by hash only),
            // one for a server error (not a routing label).
            let lines = try String(contentsOfFile: Self.gsm8k, encoding: .utf8).split(separator: "\n")
            let split = HoldoutSplit(try RoutingExample.parseJSONL(Array(lines.joined(separator: "\n").utf8)), mode: .byCategory, fraction: 0.2, seed: 1)
            let prompts = try lines.map { try #require(JSONValue.parse(Array($0.utf8))["prompt"]?.stringValue) }
            for (i, reason) in ["low_quality: too_short: 3 words", "low_quality: refusal", "server_error"].enumerated() {
                try store.logMisroute(MisrouteRecord(requestID: "req_\(i)", createdAt: Date(), teamID: nil, queryHash: RetrainLabels.queryHash(prompts[split.train[i]]),
                                                     queryText: nil, features: nil, firstTier: "cheap", finalTier: "top", reason: reason, score: 0.1))
            }
            func retrain(_ extra: [String]) async throws -> String {
                let r = try await env.run(["retrain", "--config", cfg, "--data", Self.gsm8k, "--install"] + extra, timeout: .seconds(120))
                #expect(r.status == 0, "\(r.output)")
                return r.output
            }

            // A weak first version (5 training rows): nothing to
            // compare with, so it is installed.
            let first = try await retrain(["--max-train-rows", "5"])
            #expect(first.contains("logged labels: 2 (misroutes 2, shadow verdicts 0, feedback 0); 2 queries used, 2 needing a stronger tier"), "\(first)")
            #expect(first.contains("installed v1: no active version to compare with"), "\(first)")
            #expect(first.contains("features 100% "), "progress lines like triage train")
            // All 800 training rows: better at the same cost, installed, and at v1's shares of traffic per
            // tier (the default, --thresholds keep-shares): a retrain changes which queries go up, not how many.
            let second = try await retrain([])
            #expect(second.contains("installed v2: not worse: APGR"), "\(second)")
            #expect(second.contains("at the same cost ("), "\(second)")
            #expect(second.contains("thresholds: v1's shares of the \(split.heldOut.count) held-out rows kept (simple "), "\(second)")
            #expect(!second.contains("its own thresholds send"), "\(second)")
            #expect(second.contains("candidate at v1's shares"), "\(second)")
            #expect(try store.activeClassifierVersion() == 2)
            let installed = try ModelFile.decode(try #require(try store.classifierModel(version: 2)))
            #expect(installed.model.choiceHeads != nil, "retrain fits the multiple-choice heads as triage train does")
            let heldPrompts = split.heldOut.map { prompts[$0] }
            func heldShares(_ version: Int64) throws -> ThresholdCalibration.Shares {
                let file = try ModelFile.decode(try #require(try store.classifierModel(version: version)))
                return ThresholdCalibration.shares(heldPrompts.map { file.model.score(FeatureInput(prompt: $0)) }, file.thresholds)
            }
            let (v1, v2) = (try heldShares(1), try heldShares(2))
            // v1's thresholds (quantiles of 5 training rows' scores) split the held-out rows far from the
            // 50/30/20 that a version's own quantiles aim at (64/7/29 when written).
            #expect(v1.medium < 0.15, "\(v1)")
            for (a, b) in [(v1.simple, v2.simple), (v1.medium, v2.medium), (v1.complex, v2.complex)] {
                #expect(abs(a - b) <= 0.01, "v2 keeps v1's split of the held-out rows: \(v1) against \(v2)")
            }
            // --thresholds own: the candidate's own quantiles (half the traffic to the cheapest tier), and the
            // verdict says how far that moves the split.
            let own = try await retrain(["--thresholds", "own"])
            #expect(own.contains("installed v3: not worse: APGR"), "\(own)")
            #expect(own.contains("thresholds: quantiles 0.5 and 0.8 of the training rows' scores"), "\(own)")
            #expect(own.contains("its own thresholds send"), "\(own)")
            let v3 = try heldShares(3)
            #expect(v3.medium > v1.medium + 0.1, "its own quantiles move the split: \(v1) against \(v3)")
            // The weak one again: worse on the held-out slice, kept out, saying what to do.
            let third = try await retrain(["--max-train-rows", "5"])
            #expect(third.contains("kept v3: candidate APGR"), "\(third)")
            #expect(third.contains("Nothing installed: retrain once more labels are logged or the data grows, or install it anyway with `triage retrain --install --force`"), "\(third)")
            #expect(try store.activeClassifierVersion() == 3 && store.classifierVersions().count == 3)
            // --force overrides the guardrail.
            let forced = try await retrain(["--max-train-rows", "5", "--force"])
            #expect(forced.contains("installed v4: forced although candidate APGR"), "\(forced)")
            #expect(try store.activeClassifierVersion() == 4)
        }

        @Test(.enabled(if: FileManager.default.fileExists(atPath: RetrainCommandTests.gsm8k), "needs shared/data/routellm/gsm8k.jsonl"))
        func theCoordinatorRetrainsOnItsSchedule() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            var spec = ClusterSpec(workers: 1)
            spec.classifierKind = "learned"
            spec.retrain = "{every_h: 0.0005, data: [\"\(Self.gsm8k)\"]}"  // every 1.8 s
            let cluster = try await env.startCluster(spec)
            let store = try cluster.store()
            // The first run installs (no active version to compare with); workers then route with it.
            let active = await poll(timeout: .seconds(30), interval: .milliseconds(200)) { try? store.activeClassifierVersion() }
            #expect(active == 1)
            let routed = await poll(timeout: .seconds(10), interval: .milliseconds(200)) { () -> String? in
                let r = try? await cluster.chat("What is 2 + 2?")
                return r?.headers["x-triage-classifier"] == "learned:v1" ? "learned:v1" : nil
            }
            #expect(routed == "learned:v1", "workers switch to the scheduled version")
            // With nothing learned since, later runs are skipped: no new version.
            try await Task.sleep(for: .seconds(4))
            #expect(try store.classifierVersions().count == 1)
            // A misroute is something learned: the next run trains again, and its candidate (same data,
            // same seed, one more label) is not worse, so it is installed.
            try store.logMisroute(MisrouteRecord(requestID: "req_x", createdAt: Date(), teamID: nil, queryHash: RetrainLabels.queryHash("What is 2 + 2?"),
                                                 queryText: "What is 2 + 2?", features: nil, firstTier: "simple", finalTier: "medium",
                                                 reason: "low_quality: refusal", score: 0.1))
            let next = await poll(timeout: .seconds(30), interval: .milliseconds(200)) { try? store.activeClassifierVersion() == 2 ? 2 : nil }
            #expect(next == 2)
            #expect(try await cluster.chat("What is the capital of France?").status == 200)
        }
    }
}
