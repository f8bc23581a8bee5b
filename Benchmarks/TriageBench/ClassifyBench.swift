import TriageCore

/// Classification per query (features plus model) for 100 B, 1 KB and 10 KB prompts.
enum ClassifyBench {
    /// Classifiers measured besides the rule classifier. The learned classifier (issue in
    /// progress) plugs in here: append `("learned", { LearnedClassifier(...) })` once it exists.
    nonisolated(unsafe) static var extraClassifiers: [(name: String, make: () throws -> any Classifier)] = []

    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        let config = try ConfigLoader.load(yaml: DefaultConfig.yaml)
        let rules = RuleClassifier(settings: config.classifier.rules)
        // The prototype must decide exactly as the real classifier does.
        let prototype = ByteRuleClassifier(settings: config.classifier.rules)
        for text in ["What is the capital of France?", "Please analyze this", "Compare A and B step by step in detail",
                     Fixtures.prompt(bytes: 1_000), Fixtures.prompt(bytes: 10_000)] {
            for system in [false, true] {
                let chat = try ChatRequest(bytes: Array(Fixtures.chatBody(promptBytes: 0, system: system).utf8))
                var c = chat
                c.messages[c.messages.count - 1].text = text
                guard prototype.classify(c) == rules.classify(c) else {
                    throw BenchError("prototype ByteRuleClassifier disagrees with RuleClassifier on '\(text.prefix(40))'")
                }
            }
        }
        var classifiers: [(String, any Classifier)] = [("rules", rules), ("rules-bytes (prototype)", prototype)]
        for extra in extraClassifiers { classifiers.append((extra.name, try extra.make())) }
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
                for _ in 0..<n { blackHole(ByteRuleClassifier.scan(opaque(prompt))) }
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
