import TriageCore

/// Classification per query (features plus model) for 100 B, 1 KB and 10 KB prompts.
enum ClassifyBench {
    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        let config = try ConfigLoader.load(yaml: DefaultConfig.yaml)
        let rules = RuleClassifier(settings: config.classifier.rules)
        // The learned classifier's cost does not depend on its weights: a zero model measures it.
        let learned = LearnedClassifier(model: LearnedModel(features: FeatureSettings()),
                                        thresholds: ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.8))
        // `triage train`'s default model also has choice heads for multiple-choice queries: three weight
        // vectors looked up in the one scan.
        var headsModel = LearnedModel(features: FeatureSettings())
        let zeroHead = headsModel.mainHead
        headsModel.choiceHeads = LearnedModel.ChoiceHeads(strong: zeroHead, weak: zeroHead)
        let learnedHeads = LearnedClassifier(model: headsModel, thresholds: ScoreThresholds(simpleBelow: 0.5, complexFrom: 0.8))
        let classifiers: [(String, any Classifier)] = [("rules", rules), ("learned", learned), ("learned+choice-heads", learnedHeads)]
        var results: [BenchResult] = []
        for size in [100, 1_000, 10_000] {
            let label = size >= 1000 ? "\(size / 1000) KB" : "\(size) B"
            let bodyText = Fixtures.chatBody(promptBytes: size)
            let bytes = Array(bodyText.utf8)
            let chat = try ChatRequest(bytes: bytes)
            let prompt = chat.query
            // Baseline: one pass over the prompt's bytes that counts words and lower-cases into a buffer
            // (the least any feature extraction does).
            let baseline = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(RuleClassifier.scan(opaque(prompt))) }
            }
            results.append(BenchResult(group: "classify", name: "lowercase+word pass \(label) (baseline)", nsPerOp: baseline, bytes: size))
            for (name, classifier) in classifiers {
                let ns = measure(seconds: options.secondsPerCase) { n in
                    for _ in 0..<n { blackHole(classifier.classify(opaque(chat))) }
                }
                results.append(BenchResult(group: "classify", name: "\(name).classify \(label)", nsPerOp: ns, bytes: size,
                                           baselineNs: baseline, baselineName: "one pass"))
                let router = TierRouter(ladder: config.ladder, classifier: classifier)
                let nsRoute = measure(seconds: options.secondsPerCase) { n in
                    for _ in 0..<n { blackHole(try? router.decide(opaque(chat))) }
                }
                results.append(BenchResult(group: "classify", name: "\(name) router.decide \(label)", nsPerOp: nsRoute, bytes: size,
                                           baselineNs: baseline, baselineName: "one pass"))
            }
            // For scale: what parsing that request costs (done once per hop today).
            let nsParse = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? ChatRequest(bytes: bytes)) }
            }
            results.append(BenchResult(group: "classify", name: "ChatRequest(bytes:) \(label) body", nsPerOp: nsParse, bytes: bytes.count,
                                       baselineNs: baseline, baselineName: "one pass", note: "\(bytes.count) B body"))
        }
        return results
    }
}
