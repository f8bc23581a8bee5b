import ArgumentParser
import Foundation
import TriageCore

/// `triage train`: fits the learned classifier on routing benchmark data and reports held-out figures.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the learned classifier on routing data (JSONL with per-model scores) and report held-out APGR/CPT.",
        discussion: """
        Example: triage train --data ../shared/data/routellm/mmlu.jsonl,../shared/data/routellm/gsm8k.jsonl \\
                   --out model.json --holdout-by category --seed 1

        The held-out split is written into the model file. With --holdout-by category, whole MMLU subjects
        are held out (and a random slice of single-category sources such as GSM8K); with random, a random
        slice of every source. --cv K picks --l2 from a comma-separated list by group K-fold
        cross-validation on the training rows only.
        """)

    @Option(help: ArgumentHelp("Data files, comma-separated.", valueName: "A.jsonl[,B.jsonl]")) var data: String
    @Option(help: ArgumentHelp("Where to write the model file.", valueName: "model.json")) var out: String
    @Option(help: "Hold out whole categories (category) or a random slice (random).") var holdoutBy: String = TrainingDefaults.holdoutBy.rawValue
    @Option(help: "Share of the data held out.") var holdoutFraction: Double = TrainingDefaults.holdoutFraction
    @Option(help: "Seed of the split and of the optimiser.") var seed: UInt64 = TrainingDefaults.seed
    @Option(help: "The stronger model must beat the cheapest by more than this to label a query as needing it.") var margin: Double = 0
    @Option(help: "Training target: gain (soft target from the score difference) or binary (needs-stronger label, with --margin).") var label: String = TrainingDefaults.label.rawValue
    @Option(help: "Models of the ladder as named in the data, cheapest first, comma-separated.") var models: String = LabelPolicy.routeLLMModels.joined(separator: ",")
    @Option(help: "Optimiser: adam (mini-batch) or lbfgs (full batch, to the optimum).") var optimiser: String = "adam"
    @Option(help: "Epochs of mini-batch Adam (L-BFGS: at most 10× this many iterations).") var epochs: Int = TrainingDefaults.epochs
    @Option(help: "Mini-batch size.") var batch: Int = TrainingDefaults.batchSize
    @Option(help: "Adam step size at the start (cosine decay to zero).") var lr: Double = TrainingDefaults.learningRate
    @Option(help: "L2 penalty; with --cv, a comma-separated list to choose from.") var l2: String = "\(TrainingDefaults.l2)"
    @Option(help: "Group K-fold cross-validation on the training rows: reports its APGR and chooses --l2 from a list (0 = off).") var cv: Int = 0
    @Option(help: "Hashed feature buckets: 2^bits.") var hashBits: Int = TrainingDefaults.hashBits
    @Option(help: "Character n-gram lengths, as min-max (0 = none).") var charNgrams: String = "4-4"
    @Flag(help: "No word unigrams.") var noUnigrams = false
    @Flag(help: "No word bigrams.") var noBigrams = false
    @Flag(help: "Repeat the dense block for open-form (not multiple-choice) queries.") var shape = false
    @Flag(inversion: .prefixedNo, help: "Weigh training rows so that every source (benchmark) has the same total weight.") var balanceSources = TrainingDefaults.balanceSources
    @Flag(inversion: .prefixedNo, help: "Also fit two heads for multiple-choice queries (the strongest and the cheapest model's quality; score = (1 + P(strong) - P(weak)) / 2).") var choiceHeads = TrainingDefaults.choiceHeads
    @Flag(inversion: .prefixedNo, help: "Weigh the choice heads' rows like the main weights' (--balance-sources) rather than every row alike.") var balanceHeads = TrainingDefaults.balanceChoiceHeads
    @Option(help: ArgumentHelp("Leave these categories out of training (comma-separated; held-out rows are unaffected).", valueName: "a,b")) var excludeCategories: String = ""
    @Flag(help: "Keep training categories where the strongest model scores more than 0.1 below the cheapest (dropped by default as grading artefacts).") var keepInverted = !TrainingDefaults.excludeInverted
    @Flag(help: "After reporting held-out figures, refit on every row (held-out ones too) for the saved model.") var refitAll = false
    @Option(help: "Name stored in the model file (default: the output file name).") var name: String?

    func validate() throws {
        // Out of these ranges the split or the optimiser trapped (a negative prefix, an empty epoch range).
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard (0..<1).contains(holdoutFraction) else { throw ValidationError("--holdout-fraction must be in [0, 1)") }
    }

    func run() throws {
        let start = Date()
        let examples = try loadRoutingData(data)
        let policy = LabelPolicy(models: models.split(separator: ",").map(String.init), margin: margin)
        guard policy.models.count >= 2 else { throw ValidationError("--models needs at least two models") }
        if let e = examples.first(where: { policy.missingModel(in: $0) != nil }) {
            throw ValidationError("row \(e.id) has no score for \(policy.missingModel(in: e)!); pass --models")
        }
        guard let mode = HoldoutSplit.Mode(rawValue: holdoutBy) else { throw ValidationError("--holdout-by must be category or random") }
        guard let labelMode = LabelMode(rawValue: label) else { throw ValidationError("--label must be binary or gain") }
        let settings = try featureSettings()
        let grid = try l2.split(separator: ",").map { s -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 0 else { throw ValidationError("bad --l2 value '\(s)'") }
            return v
        }
        guard !grid.isEmpty else { throw ValidationError("--l2 is empty") }
        if grid.count > 1 && cv < 2 { throw ValidationError("a list of --l2 values needs --cv K (K >= 2)") }

        var split = HoldoutSplit(examples, mode: mode, fraction: holdoutFraction, seed: seed)
        var excluded = Set(excludeCategories.split(separator: ",").map(String.init))
        let kept = TrainingDefaults.trainingRows(examples, rows: split.train, policy: policy, excludeInverted: !keepInverted, excluded: excluded)
        if !kept.inverted.isEmpty {
            print("inverted labels (strongest model > 0.1 below the cheapest on the training rows), not trained on: \(kept.inverted.joined(separator: ", "))")
            excluded.formUnion(kept.inverted)
        }
        if !excluded.isEmpty {
            print("excluded from training: \(split.train.count - kept.rows.count) rows of \(excluded.sorted().joined(separator: ", "))")
            split.train = kept.rows
        }
        print("data: \(examples.count) rows from \(data)")
        for (source, n) in countBySource(examples, split.train) {
            print("  train \(source): \(n) rows")
        }
        for (source, n) in countBySource(examples, split.heldOut) {
            print("  held out \(source): \(n) rows")
        }
        print("split: \(split.summary)")
        if !split.heldOutCategories.isEmpty { print("held-out categories: \(split.heldOutCategories.joined(separator: ", "))") }

        // Features once for every row.
        let extractor = FeatureExtractor(settings: settings)
        var features: [FeatureVector] = []
        features.reserveCapacity(examples.count)
        let featureBar = ProgressBar("features", total: examples.count, unit: "rows")
        for (i, e) in examples.enumerated() {
            features.append(extractor.extract(FeatureInput(prompt: e.prompt)))
            featureBar.advance(to: i + 1)
        }
        featureBar.finish(examples.count)
        let targets = TrainingRun.targets(examples, policy: policy, mode: labelMode)
        let weights = balanceSources ? TrainingRun.balancedWeights(examples, rows: split.train) : nil
        var heads = choiceHeads ? TrainingRun.qualities(examples, policy: policy) : nil
        if balanceHeads { heads?.weights = weights }

        guard let optimiserKind = Optimiser(rawValue: optimiser) else { throw ValidationError("--optimiser must be adam or lbfgs") }
        var options = TrainingOptions(epochs: epochs, batchSize: batch, learningRate: lr, l2: grid[0], seed: seed, optimiser: optimiserKind)
        if cv >= 2 {
            // One value is only measured (the figures a choice of features or options is made on); a list is chosen from.
            var best = (l2: grid[0], score: -Double.infinity)
            for v in grid {
                options.l2 = v
                let t = Date()
                let cvScores = TrainingRun.crossValidate(examples, features: features, targets: targets, weights: weights, rows: split.train,
                                                         folds: cv, policy: policy, settings: settings, options: options, choiceHeads: heads)
                let mean = cvScores.values.reduce(0, +) / Double(max(cvScores.count, 1))
                let parts = cvScores.keys.sorted().map { "\($0) \(fixed3(cvScores[$0]!))" }.joined(separator: ", ")
                print("cv l2=\(v): mean APGR \(fixed3(mean)) (\(parts)) in \(String(format: "%.1f", Date().timeIntervalSince(t))) s")
                if mean > best.score { best = (v, mean) }
            }
            options.l2 = best.l2
            if grid.count > 1 { print("cv chose l2=\(best.l2)") }
        }

        let model = fitWithProgress(features, targets, weights, split.train, settings, options, heads)
        let heldScores = TrainingRun.scores(model, features, rows: split.heldOut)
        let reports = BenchmarkReport.bySource(split.heldOut.map { examples[$0] }, scores: heldScores, policy: policy)
        print("held-out figures (RouteLLM protocol: 11 decile thresholds, APGR by trapezoid, CPT by interpolation):")
        for r in reports { printReport(r, routerName: "learned") }

        let finalRows = refitAll ? examples.indices.filter { !excluded.contains(examples[$0].category) } : split.train
        let finalWeights = balanceSources ? TrainingRun.balancedWeights(examples, rows: finalRows) : nil
        if balanceHeads { heads?.weights = finalWeights }
        let finalModel = refitAll ? fitWithProgress(features, targets, finalWeights, finalRows, settings, options, heads) : model
        let (thresholds, how) = TrainingRun.defaultThresholds(trainingScores: TrainingRun.scores(finalModel, features, rows: finalRows))
        let summary = TrainingSummary(
            data: data.split(separator: ",").map(String.init), rows: finalRows.count,
            positives: finalRows.filter { targets[$0] > 0.5 }.count,
            rowsBySource: Dictionary(uniqueKeysWithValues: countBySource(examples, finalRows)),
            models: policy.models, label: labelMode.rawValue + (heads == nil ? "" : "; multiple-choice queries: choice heads on each model's quality"), margin: margin,
            split: split.summary + (refitAll ? "; the saved model was refit on all rows after measuring" : ""),
            holdoutBy: mode.rawValue, holdoutFraction: holdoutFraction, seed: seed,
            heldOutCategories: split.heldOutCategories, heldOutRows: split.heldOut.count,
            optimiser: options.optimiser == .lbfgs ? "full-batch L-BFGS (memory 10, Armijo backtracking) to the optimum"
                : "mini-batch Adam (beta1 0.9, beta2 0.999), cosine step decay, SplitMix64 batch order",
            epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, l2: options.l2,
            command: "triage " + CommandLine.arguments.dropFirst().joined(separator: " "))
        let file = ModelFile(name: name ?? (out as NSString).lastPathComponent, model: finalModel, thresholds: thresholds,
                             thresholdsHow: how, training: summary,
                             metrics: Dictionary(uniqueKeysWithValues: reports.map { ($0.source, $0.metrics) }))
        let bytes = file.encode()
        guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else {
            throw ValidationError("cannot write \(out)")
        }
        print("wrote \(out): \(bytes.count) bytes, thresholds simple < \(fixed3(thresholds.simpleBelow)), complex >= \(fixed3(thresholds.complexFrom)); total \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    private func featureSettings() throws -> FeatureSettings {
        var lo = 0, hi = 0
        if charNgrams != "0" {
            let parts = charNgrams.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 || parts.count == 1 else { throw ValidationError("--char-ngrams must be min-max, e.g. 3-5, or 0") }
            lo = parts[0]
            hi = parts.count == 2 ? parts[1] : parts[0]
        }
        let s = FeatureSettings(hashBits: hashBits, wordUnigrams: !noUnigrams, wordBigrams: !noBigrams, charNGramMin: lo,
                                charNGramMax: hi, shapeConjunction: shape)
        if let p = s.problem() { throw ValidationError(p) }
        return s
    }

    private func fitWithProgress(_ features: [FeatureVector], _ targets: [Double], _ weights: [Double]?, _ rows: [Int],
                                 _ settings: FeatureSettings,
                                 _ options: TrainingOptions, _ heads: TrainingRun.ChoiceTargets?) -> LearnedModel {
        let lbfgs = options.optimiser == .lbfgs
        let total = (lbfgs ? options.epochs * 10 : options.epochs) * (heads == nil ? 1 : 3)
        let what = heads == nil ? "" : ", 3 heads"
        let bar = ProgressBar("train (\(rows.count) rows, l2 \(options.l2)\(what))", total: total, unit: lbfgs ? "iterations" : "epochs")
        var done = 0
        let model = TrainingRun.fit(features, targets: targets, weights: weights, rows: rows, settings: settings, options: options,
                                    choiceHeads: heads) { e in
            done = e.epoch
            bar.advance(to: e.epoch, detail: "\(lbfgs ? "objective" : "loss") \(String(format: "%.4f", e.loss))")
        }
        bar.finish(lbfgs ? done : total)
        return model
    }
}

func countBySource(_ examples: [RoutingExample], _ rows: [Int]) -> [(String, Int)] {
    var c: [String: Int] = [:]
    for i in rows { c[examples[i].source, default: 0] += 1 }
    return c.keys.sorted().map { ($0, c[$0]!) }
}
