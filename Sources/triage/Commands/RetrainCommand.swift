import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage retrain`: a new learned-classifier version from the base data plus what production
/// taught (misroutes, shadow verdicts, feedback), installed only when a guardrail finds it not worse.
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Train a new classifier version from the base data plus the misroute log, shadow verdicts and feedback; install it only if it is not worse.",
        discussion: """
        Labels from the store: misroutes for a poor answer (low_quality...) or a shadow verdict of worse
        (shadow_worse) and feedback needed_stronger say the query needed a stronger tier; shadow verdicts
        as_good/better and feedback stronger_than_needed say the cheaper tier did. A query is used when its
        text was stored (privacy.store_query_text) or its hash matches a base-data prompt.
        The guardrail: held-out slice of --data (the same split as `triage train --holdout-by ... --seed`),
        the candidate against the active version by APGR (RouteLLM protocol) and accuracy at each one's own
        thresholds; installed (with --install) only when neither is lower by more than the tolerances.
        Example: triage retrain --data ../shared/data/routellm/gsm8k.jsonl --install
        """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Base data files, comma-separated.", valueName: "A.jsonl[,B.jsonl]")) var data: String
    @Flag(help: "Install the candidate when the guardrail allows it (otherwise only report).") var install = false
    @Flag(help: "Install even when the guardrail refuses (with --install).") var force = false
    @Option(help: "How much lower the candidate's held-out APGR may be.") var apgrTolerance: Double = 0.01
    @Option(help: "How much lower the candidate's held-out accuracy may be.") var accuracyTolerance: Double = 0.02
    @Option(help: "Hold out whole categories (category) or a random slice (random).") var holdoutBy: String = "category"
    @Option(help: "Share of the data held out.") var holdoutFraction: Double = 0.2
    @Option(help: "Seed of the split and of the optimiser.") var seed: UInt64 = 1
    @Option(help: "Training target: binary or gain.") var label: String = "gain"
    @Option(help: "Models of the ladder as named in the data, cheapest first, comma-separated.") var models: String = LabelPolicy.routeLLMModels.joined(separator: ",")
    @Option(help: "Weight of a logged label against a base row.") var logWeight: Double = 2
    @Option(help: "Only logged labels since this date (2026-11-01 or ISO 8601).") var since: String?
    @Option(help: "Use at most this many base training rows (quick runs).") var maxTrainRows: Int?
    @Option(help: "Epochs of mini-batch Adam.") var epochs: Int = 20
    @Option(help: "L2 penalty.") var l2: Double = 1e-4
    @Option(help: "Hashed feature buckets: 2^bits.") var hashBits: Int = 16
    @Option(help: ArgumentHelp("Also write the candidate model file here.", valueName: "model.json")) var out: String?

    func run() throws {
        let start = Date()
        let config = try cluster.load()
        let store = try cluster.openStore(config)
        let base = try loadRoutingData(data)
        let policy = LabelPolicy(models: models.split(separator: ",").map(String.init))
        guard policy.models.count >= 2 else { throw ValidationError("--models needs at least two models") }
        if let e = base.first(where: { policy.missingModel(in: $0) != nil }) {
            throw ValidationError("row \(e.id) has no score for \(policy.missingModel(in: e)!); pass --models")
        }
        guard let mode = HoldoutSplit.Mode(rawValue: holdoutBy) else { throw ValidationError("--holdout-by must be category or random") }
        guard let labelMode = LabelMode(rawValue: label) else { throw ValidationError("--label must be binary or gain") }
        if force && !install { throw ValidationError("--force needs --install") }
        let from = try since.map { s -> Date in
            guard let d = parseDay(s) else { throw ValidationError("--since expects a date like 2026-11-01") }
            return d
        }

        let split = HoldoutSplit(base, mode: mode, fraction: holdoutFraction, seed: seed)
        let (labels, counts) = try loggedLabels(store, since: from)
        let logged = RetrainLabels.examples(labels, base: base, excluding: Set(split.heldOut), policy: policy)
        print("base data: \(base.count) rows from \(data); split: \(split.train.count) train, \(split.heldOut.count) held out (\(mode.rawValue), seed \(seed))")
        print("logged labels: \(labels.count) (\(counts)); \(logged.examples.count) queries used, "
              + "\(logged.examples.filter { policy.needsStronger($0) }.count) needing a stronger tier; "
              + "\(logged.unresolved) without text or a base-data match, \(logged.excluded) of held-out queries left out")

        var trainRows = split.train
        if let cap = maxTrainRows, cap < trainRows.count { trainRows = Array(trainRows.prefix(max(cap, 0))) }
        let all = base + logged.examples
        let rows = trainRows + Array(base.count..<all.count)
        var weights = [Double](repeating: 1, count: all.count)
        for i in base.count..<all.count { weights[i] = logWeight }

        let settings = FeatureSettings(hashBits: hashBits)
        if let p = settings.problem() { throw ValidationError(p) }
        let extractor = FeatureExtractor(settings: settings)
        var features: [FeatureVector] = []
        features.reserveCapacity(all.count)
        let featureBar = ProgressBar("features", total: all.count, unit: "rows")
        for (i, e) in all.enumerated() {
            features.append(extractor.extract(FeatureInput(prompt: e.prompt)))
            featureBar.advance(to: i + 1)
        }
        featureBar.finish(all.count)
        let targets = TrainingRun.targets(all, policy: policy, mode: labelMode)
        let options = TrainingOptions(epochs: epochs, l2: l2, seed: seed)
        let bar = ProgressBar("train (\(rows.count) rows, l2 \(l2))", total: epochs, unit: "epochs")
        let model = TrainingRun.fit(features, targets: targets, weights: weights, rows: rows, settings: settings, options: options) { e in
            bar.advance(to: e.epoch, detail: "loss \(String(format: "%.4f", e.loss))")
        }
        bar.finish(epochs)
        let (thresholds, how) = TrainingRun.defaultThresholds(trainingScores: TrainingRun.scores(model, features, rows: rows))

        let held = split.heldOut.map { base[$0] }
        let candidate = RetrainFigures.measure(held, scores: TrainingRun.scores(model, features, rows: split.heldOut),
                                               thresholds: thresholds, policy: policy)
        let activeVersion = try store.activeClassifierVersion()
        var active: RetrainFigures?
        if let v = activeVersion, let bytes = try store.classifierModel(version: v), let file = try? ModelFile.decode(bytes) {
            active = RetrainFigures.measure(held, scores: held.map { file.model.score(FeatureInput(prompt: $0.prompt)) },
                                            thresholds: file.thresholds, policy: policy)
        }
        print("held-out slice: \(held.count) rows (RouteLLM protocol; accuracy = recorded quality of the model each row is routed to)")
        var table = [figureRow("candidate", candidate)]
        if let active, let v = activeVersion { table.append(figureRow("active v\(v)", active)) }
        printTable(["classifier", "APGR", "accuracy", "sent above cheapest"], table)

        let reports = BenchmarkReport.bySource(held, scores: TrainingRun.scores(model, features, rows: split.heldOut), policy: policy)
        let summary = TrainingSummary(
            data: data.split(separator: ",").map(String.init), rows: rows.count,
            positives: rows.filter { targets[$0] > 0.5 }.count,
            rowsBySource: Dictionary(uniqueKeysWithValues: countBySource(all, rows)),
            models: policy.models, label: labelMode.rawValue, margin: 0,
            split: split.summary + "; plus \(logged.examples.count) logged labels (weight \(logWeight))",
            holdoutBy: mode.rawValue, holdoutFraction: holdoutFraction, seed: seed,
            heldOutCategories: split.heldOutCategories, heldOutRows: split.heldOut.count,
            optimiser: "mini-batch Adam (beta1 0.9, beta2 0.999), cosine step decay, SplitMix64 batch order",
            epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, l2: options.l2,
            command: "triage " + CommandLine.arguments.dropFirst().joined(separator: " "))
        let name = "retrain-" + ISO8601DateFormatter().string(from: Date())
        let file = ModelFile(name: name, model: model, thresholds: thresholds, thresholdsHow: how, training: summary,
                             metrics: Dictionary(uniqueKeysWithValues: reports.map { ($0.source, $0.metrics) }))
        let bytes = file.encode()
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw ValidationError("cannot write \(out)") }
            print("wrote \(out)")
        }

        let decision = RetrainGuardrail(apgrTolerance: apgrTolerance, accuracyTolerance: accuracyTolerance)
            .decide(candidate: candidate, active: active, force: force)
        let took = String(format: "%.1f s", Date().timeIntervalSince(start))
        switch decision {
        case .install(let why) where install:
            let v = try store.installClassifier(name: name, model: bytes)
            print("installed v\(v): \(why) (\(took); workers switch to it within seconds)")
        case .install(let why):
            print("would install (pass --install): \(why) (\(took))")
        case .keep(let why):
            let kept = activeVersion.map { "kept v\($0)" } ?? "kept the active version"
            print(install ? "\(kept): \(why) (\(took))" : "would keep the active version: \(why) (\(took))")
        }
    }

    private func figureRow(_ name: String, _ f: RetrainFigures) -> [String] {
        [name, fixed3(f.apgr), fixed3(f.accuracy), pct(f.strongShare)]
    }

    private func parseDay(_ s: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: s) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.date(from: s)
    }

    /// Labels from the misroute log, the shadow comparisons and feedback (feedback finds its query
    /// through the misroute or shadow row of the same request).
    private func loggedLabels(_ store: Store, since: Date?) throws -> ([LoggedLabel], String) {
        var labels: [LoggedLabel] = []
        var query: [String: (hash: String, text: String?)] = [:]
        var n = (misroute: 0, shadow: 0, feedback: 0)
        for m in try store.misroutes(limit: 1_000_000, since: since).reversed() {
            query[m.requestID] = (m.queryHash, m.queryText)
            if let up = RetrainLabels.label(misrouteReason: m.reason) {
                labels.append(LoggedLabel(queryHash: m.queryHash, queryText: m.queryText, needsStronger: up, origin: "misroute"))
                n.misroute += 1
            }
        }
        for s in try store.shadowComparisons(limit: 1_000_000, since: since).reversed() {
            query[s.requestID] = (s.queryHash, s.queryText)
            // `worse` is already a `shadow_worse` misroute; the shadow rows add the queries that were fine.
            if let v = s.verdict, let up = RetrainLabels.label(shadow: v), !up {
                labels.append(LoggedLabel(queryHash: s.queryHash, queryText: s.queryText, needsStronger: false, origin: "shadow"))
                n.shadow += 1
            }
        }
        for f in try store.allFeedback(since: since) {
            guard let up = RetrainLabels.label(feedback: f.verdict), let q = query[f.requestID] else { continue }
            labels.append(LoggedLabel(queryHash: q.hash, queryText: q.text, needsStronger: up, origin: "feedback"))
            n.feedback += 1
        }
        return (labels, "misroutes \(n.misroute), shadow verdicts \(n.shadow), feedback \(n.feedback)")
    }
}
