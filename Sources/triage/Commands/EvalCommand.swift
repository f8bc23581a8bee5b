import ArgumentParser
import Foundation
import Logging
import TriageCore
import TriageWorker

/// `triage eval`: scores routing data with a classifier and reports RouteLLM's figures.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score routing data with a classifier; print APGR, CPT(50%) and CPT(80%) beside random and oracle routers.",
        discussion: """
        Example: triage eval --data ../shared/data/routellm/gsm8k.jsonl --classifier rules
                 triage eval --data mmlu.jsonl,gsm8k.jsonl --classifier learned:model.json --held-out --out scores.jsonl
                 triage eval --classifier learned:model.json --timing

        Tiers come from the config's ladder; the cost saved is priced with the cheapest and the top tier's prices,
        prompt tokens estimated as bytes/4 and --completion-tokens per answer.
        """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Data files, comma-separated.", valueName: "F.jsonl[,G.jsonl]")) var data: String?
    @Option(help: ArgumentHelp("rules, learned:FILE, or judge (the config's judge model rates every query; a failed rating falls back to the rules).",
                               valueName: "rules|learned:FILE|judge")) var classifier: String = "rules"
    @Option(help: "Judge calls in flight at once (--classifier judge).") var judgeConcurrency: Int = 8
    @Option(help: ArgumentHelp("Write one line per query: {\"id\",\"tier\",\"score\"}.", valueName: "scores.jsonl")) var out: String?
    @Flag(help: "Only the rows the learned model held out in training (its split is stored in the model file).") var heldOut = false
    @Option(help: ArgumentHelp("Only the rows this model file held out (to compare any classifier on them).", valueName: "model.json")) var heldOutOf: String?
    @Option(help: "Models as named in the data, cheapest first, comma-separated.") var models: String = LabelPolicy.routeLLMModels.joined(separator: ",")
    @Option(help: "Completion tokens assumed per answer when pricing.") var completionTokens: Int = 256
    @Flag(help: "Time classification of 100 B, 1 KB and 10 KB prompts (use a release build).") var timing = false

    func run() async throws {
        let config = try cluster.load()
        let judge: JudgeClient? = try self.classifier == "judge" ? judgeClient(config) : nil
        let (classifier, file) = judge == nil ? try makeClassifier(config) : (RuleClassifier(settings: config.classifier.rules), nil)
        let routerName = judge == nil ? classifier.name : "judge"
        if timing { runTiming(classifier) }
        guard let data else {
            if timing { return }
            throw ValidationError("--data is required (unless --timing)")
        }
        var examples = try loadRoutingData(data)
        let policy = LabelPolicy(models: models.split(separator: ",").map(String.init))
        if let e = examples.first(where: { policy.missingModel(in: $0) != nil }) {
            throw ValidationError("row \(e.id) has no score for \(policy.missingModel(in: e)!); pass --models")
        }
        if heldOut || heldOutOf != nil {
            let splitFile: ModelFile
            if let path = heldOutOf {
                splitFile = try readModelFile(path)
            } else {
                guard let file else { throw ValidationError("--held-out needs --classifier learned:FILE") }
                splitFile = file
            }
            let file = splitFile
            let t = file.training
            guard let mode = HoldoutSplit.Mode(rawValue: t.holdoutBy) else { throw ValidationError("model file has holdout_by '\(t.holdoutBy)'") }
            if t.split.contains("refit on all rows") {
                print("warning: this model was refit on all rows, so its held-out rows were seen in training")
            }
            let split = HoldoutSplit(examples, mode: mode, fraction: t.holdoutFraction.value, seed: t.seed)
            examples = split.heldOut.map { examples[$0] }
            print("held-out rows of the model's split (\(split.summary)): \(examples.count)")
        }

        let router = TierRouter(ladder: config.ladder, classifier: classifier)
        var judged: [Double?]?
        if let judge { judged = try await judgeScores(examples, judge) }
        let judgeThresholds = config.classifier.judge?.thresholds ?? JudgeStepConfig.defaultThresholds
        var scores: [Double] = []
        var lines: [UInt8] = []
        scores.reserveCapacity(examples.count)
        let bar = ProgressBar("eval \(routerName)", total: examples.count, unit: "queries")
        for (i, e) in examples.enumerated() {
            let request = try ChatRequest(body: .object([
                "model": .string("auto"),
                "messages": .array([.object(["role": .string("user"), "content": .string(e.prompt)])]),
            ]))
            var decision = try router.decide(request)
            if let s = judged?[i] {
                let t = config.ladder.index(for: judgeThresholds.complexity(for: s))
                decision = RoutingDecision(tierIndex: t, tier: config.ladder.tiers[t].name, model: config.ladder.tiers[t].model, reason: "judge", score: s)
            }
            let score = decision.score ?? 0
            scores.append(score)
            if out != nil {
                lines += JSONValue.object(["id": .string(e.id), "tier": .string(decision.tier), "score": .double(score)]).encodedSorted()
                lines.append(0x0A)
            }
            bar.advance(to: scores.count)
        }
        bar.finish(scores.count)
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(lines)) else { throw ValidationError("cannot write \(out)") }
            print("wrote \(out): \(examples.count) lines")
        }

        let weakPrice = config.ladder.tiers.first!.price, strongPrice = config.ladder.tiers.last!.price
        let completion = completionTokens
        let reports = BenchmarkReport.bySource(examples, scores: scores, policy: policy) { e in
            let prompt = e.prompt.utf8.count / 4 + 8
            return (Double(weakPrice.cost(promptTokens: prompt, completionTokens: completion).nanoUSD) / 1e9,
                    Double(strongPrice.cost(promptTokens: prompt, completionTokens: completion).nanoUSD) / 1e9)
        }
        print("classifier \(routerName)\(file.map { " (\($0.name))" } ?? ""); prices: \(config.ladder.tiers.first!.model) vs \(config.ladder.tiers.last!.model), \(completion) completion tokens per answer")
        for r in reports { printReport(r, routerName: routerName) }
    }

    private func judgeClient(_ config: TriageConfig) throws -> JudgeClient {
        guard let client = JudgeClient.standalone(config, environment: ProcessInfo.processInfo.environment,
                                                  logger: Logger(label: "triage.eval")) else {
            throw ValidationError("--classifier judge needs a judge section in the config")
        }
        return client
    }

    /// The judge's score for every row (nil where it failed or gave no rating; the rules stand in),
    /// with `--judge-concurrency` calls in flight.
    private func judgeScores(_ examples: [RoutingExample], _ client: JudgeClient) async throws -> [Double?] {
        var out = [Double?](repeating: nil, count: examples.count)
        let bar = ProgressBar("judge \(client.config.model)", total: examples.count, unit: "queries")
        var done = 0, failed = 0
        await withTaskGroup(of: (Int, Double?).self) { group in
            var next = 0
            func add() {
                guard next < examples.count else { return }
                let i = next, prompt = examples[i].prompt
                group.addTask { (i, try? await client.rateComplexity(prompt).score) }
                next += 1
            }
            for _ in 0..<max(1, judgeConcurrency) { add() }
            while let (i, s) = await group.next() {
                out[i] = s
                if s == nil { failed += 1 }
                done += 1
                bar.advance(to: done)
                add()
            }
        }
        bar.finish(done)
        if failed > 0 { print("judge: \(failed) of \(examples.count) ratings failed or were unreadable; the rules' score stands in for those") }
        return out
    }

    private func makeClassifier(_ config: TriageConfig) throws -> (any Classifier, ModelFile?) {
        if classifier == "rules" { return (RuleClassifier(settings: config.classifier.rules), nil) }
        if classifier.hasPrefix("learned:") {
            let file = try readModelFile(String(classifier.dropFirst("learned:".count)))
            return (LearnedClassifier(file), file)
        }
        throw ValidationError("--classifier must be rules, learned:FILE or judge")
    }

    private func readModelFile(_ path: String) throws -> ModelFile {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read model file \(path)") }
        do {
            return try ModelFile.decode([UInt8](bytes))
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    /// Median µs per classification over several rounds, for prompts of about 100 B, 1 KB and 10 KB.
    private func runTiming(_ classifier: any Classifier) {
        #if DEBUG
        print("warning: debug build; time a release build (swift build -c release) for meaningful figures")
        #endif
        let base = """
        A train leaves the station at 3:15 pm travelling at 72 km/h. Another train leaves the same station 40 minutes later \
        on a parallel track at 96 km/h. Explain step by step when and where the second train overtakes the first, and compare \
        the answer with what happens if the first train stops for 10 minutes at a station 60 km away. Also write a short \
        Python function `overtake(v1, v2, delay)` that returns the time in hours, and prove that it is correct.\n
        """
        for size in [100, 1_000, 10_000] {
            // 16 different prompts of this size (the text rotated by different offsets), so that
            // repeated runs do not replay one prompt's branches and cache lines.
            var long = ""
            while long.utf8.count < size + 1_000 { long += base }
            let bytes = Array(long.utf8)
            let requests: [ChatRequest] = (0..<16).compactMap { v in
                let text = String(decoding: bytes[(v * 37)..<(v * 37 + size)], as: UTF8.self)
                return try? ChatRequest(body: .object([
                    "model": .string("auto"),
                    "messages": .array([.object(["role": .string("user"), "content": .string(text)])]),
                ]))
            }
            let iterations = max(256, 2_000_000 / size) / 16 * 16
            var sink = 0.0
            var rounds: [Double] = []
            for _ in 0..<7 {
                let t = DispatchTime.now().uptimeNanoseconds
                for k in 0..<iterations { sink += classifier.classify(requests[k & 15]).score }
                rounds.append(Double(DispatchTime.now().uptimeNanoseconds - t) / Double(iterations) / 1000)
            }
            rounds.sort()
            let line = String(format: "%.2f µs/query (median of 7 rounds × %d; fastest %.2f)", rounds[3], iterations, rounds[0])
            print("timing \(classifier.name): \(size) B prompt: \(line)\(sink.isNaN ? " " : "")")
        }
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys.
    func encodedSorted() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? [UInt8](e.encode(self))) ?? Array("null".utf8)
    }
}
