import Testing
import TriageCore

@Suite struct RetrainLabelTests {
    let policy = LabelPolicy(models: ["weak", "strong"])

    private func row(_ id: String, _ prompt: String, weak: Double = 1, strong: Double = 1) -> RoutingExample {
        RoutingExample(id: id, source: "gsm8k", category: "math", prompt: prompt, scores: ["weak": weak, "strong": strong])
    }

    @Test func onlyQualityReasonsAndCallersVerdictsAreRoutingLabels() {
        #expect(RetrainLabels.label(misrouteReason: "low_quality: refusal") == true)
        #expect(RetrainLabels.label(misrouteReason: "low_quality (kept): empty") == true)
        #expect(RetrainLabels.label(misrouteReason: "shadow_worse: wrong total") == true)
        #expect(RetrainLabels.label(misrouteReason: "server_error") == nil)
        #expect(RetrainLabels.label(misrouteReason: "timeout") == nil)
        #expect(RetrainLabels.label(feedback: "needed_stronger") == true)
        #expect(RetrainLabels.label(feedback: "stronger_than_needed") == false)
        #expect(RetrainLabels.label(feedback: "good") == nil)
        #expect(RetrainLabels.label(shadow: "worse") == true)
        #expect(RetrainLabels.label(shadow: "as_good") == false)
        #expect(RetrainLabels.label(shadow: "unknown") == nil)
    }

    @Test func queriesStoredByHashAreFoundInTheBaseDataAndHeldOutOnesAreLeftOut() {
        let base = [row("a", "How many apples?"), row("b", "  how MANY   pears? "), row("c", "Held out one")]
        let labels = [
            LoggedLabel(queryHash: RetrainLabels.queryHash("how many apples?"), queryText: nil, needsStronger: true, origin: "misroute"),
            LoggedLabel(queryHash: RetrainLabels.queryHash("How many pears?"), queryText: nil, needsStronger: false, origin: "shadow"),
            LoggedLabel(queryHash: RetrainLabels.queryHash("held out one"), queryText: nil, needsStronger: true, origin: "feedback"),
            LoggedLabel(queryHash: RetrainLabels.queryHash("unknown"), queryText: nil, needsStronger: true, origin: "misroute"),
            LoggedLabel(queryHash: RetrainLabels.queryHash("Stored text"), queryText: "Stored text", needsStronger: true, origin: "misroute"),
        ]
        let r = RetrainLabels.examples(labels, base: base, excluding: [2], policy: policy)
        #expect(r.unresolved == 1 && r.excluded == 1)
        #expect(r.examples.map(\.prompt) == ["How many apples?", "  how MANY   pears? ", "Stored text"])
        #expect(r.examples.map { policy.needsStronger($0) } == [true, false, true])
        #expect(r.examples[2].source == "log" && r.examples[0].source == "gsm8k")
    }

    @Test func aQueryHeldOutUnderADuplicateRowIsLeftOut() {
        // The same query twice in the base data, the first row trained on, the second held out: its
        // label must not reach training, or the guardrail would judge the candidate on what it learned.
        let base = [row("a", "How many apples?"), row("b", "how many  APPLES?")]
        let label = LoggedLabel(queryHash: RetrainLabels.queryHash("How many apples?"), queryText: nil, needsStronger: true, origin: "misroute")
        let r = RetrainLabels.examples([label], base: base, excluding: [1], policy: policy)
        #expect(r.examples.isEmpty && r.excluded == 1)
    }

    @Test func severalLabelsOfOneQueryVote() {
        let h = RetrainLabels.queryHash("q")
        let labels = [true, false, false].map { LoggedLabel(queryHash: h, queryText: "q", needsStronger: $0, origin: "feedback") }
        let r = RetrainLabels.examples(labels, base: [], excluding: [], policy: policy)
        #expect(r.examples.count == 1 && !policy.needsStronger(r.examples[0]))
        let tie = RetrainLabels.examples(Array(labels.prefix(2)), base: [], excluding: [], policy: policy)
        #expect(policy.needsStronger(tie.examples[0]))
    }

    @Test func loggedMisroutesRaiseTheScoreOfTheirQueries() {
        // Same base data; the second run adds production labels saying these queries needed the strong model.
        let base = (0..<200).map { i in row("r\(i)", "question number \(i) about topic \(i % 7)", weak: 1, strong: 1) }
        let logged = ["why does the moon shine at night", "prove that primes are infinite"]
        let settings = FeatureSettings(hashBits: 12, wordUnigrams: true, wordBigrams: false, charNGramMin: 0, charNGramMax: 0)
        func train(_ rows: [RoutingExample]) -> LearnedModel {
            let extractor = FeatureExtractor(settings: settings)
            let features = rows.map { extractor.extract(FeatureInput(prompt: $0.prompt)) }
            let targets = TrainingRun.targets(rows, policy: policy, mode: .gain)
            return TrainingRun.fit(features, targets: targets, rows: Array(rows.indices), settings: settings,
                                   options: TrainingOptions(epochs: 30, batchSize: 32, learningRate: 0.05, l2: 1e-4, seed: 1))
        }
        let labels = logged.map { LoggedLabel(queryHash: RetrainLabels.queryHash($0), queryText: $0, needsStronger: true, origin: "misroute") }
        let extra = RetrainLabels.examples(labels, base: base, excluding: [], policy: policy).examples
        let before = train(base), after = train(base + extra + extra)
        for q in logged {
            #expect(after.score(FeatureInput(prompt: q)) > before.score(FeatureInput(prompt: q)) + 0.05)
        }
    }
}
