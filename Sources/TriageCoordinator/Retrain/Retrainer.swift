import Foundation
import TriageCore
import TriageStore

/// Retraining the learned classifier from the base data plus what production taught (misroutes,
/// shadow verdicts, feedback), behind a guardrail: the work of `triage retrain` and of the
/// coordinator's schedule (`retrain: {every_h, data}`).
public struct Retrainer: Sendable {
    /// How the candidate is trained and judged. The training settings default to `triage train`'s
    /// (``TrainingDefaults``), so a retrained version is trained like one made with `triage train`.
    public struct Options: Sendable {
        public var data: [String]
        public var install = true
        public var force = false
        public var guardrail = RetrainGuardrail()
        public var holdoutBy = TrainingDefaults.holdoutBy
        public var holdoutFraction = TrainingDefaults.holdoutFraction
        public var seed = TrainingDefaults.seed
        public var label = TrainingDefaults.label
        public var policy = LabelPolicy()
        /// Weight of a logged label against a base row (of mean weight 1).
        public var logWeight = 2.0
        public var since: Date?
        public var maxTrainRows: Int?
        public var epochs = TrainingDefaults.epochs
        public var l2 = TrainingDefaults.l2
        public var hashBits = TrainingDefaults.hashBits
        /// Weigh the base training rows so that every source has the same total weight.
        public var balanceSources = TrainingDefaults.balanceSources
        /// Leave base-data categories with inverted labels out of training.
        public var excludeInverted = TrainingDefaults.excludeInverted
        /// Also fit the two heads that score multiple-choice queries (as `triage train` does).
        public var choiceHeads = TrainingDefaults.choiceHeads
        /// Weigh the heads' base rows like the main weights' (sources balanced) instead of alike.
        public var balanceChoiceHeads = TrainingDefaults.balanceChoiceHeads
        /// Keep the active version's shares of traffic per tier (the default) or use the candidate's own thresholds.
        public var thresholds = RetrainThresholds.keepShares
        /// The command line or schedule that asked, stored in the model file.
        public var command = "triage retrain"
        /// Who installs the new version, as the audit trail names them.
        public var actor = "triage retrain"

        public init(data: [String]) { self.data = data }

        /// What decides the candidate besides the data and labels, as text (the scheduled retrain
        /// compares it to know whether a kept-out candidate would come out the same).
        public var settings: String {
            "\(holdoutBy.rawValue) \(holdoutFraction) seed \(seed); label \(label.rawValue) \(policy.models.joined(separator: ",")) margin \(policy.margin); "
                + "log weight \(logWeight); epochs \(epochs) l2 \(l2) hash bits \(hashBits); balance \(balanceSources) exclude inverted \(excludeInverted); "
                + "choice heads \(choiceHeads) balanced \(balanceChoiceHeads); thresholds \(thresholds.rawValue); "
                + "since \(since.map { "\($0.timeIntervalSince1970)" } ?? "-") max rows \(maxTrainRows.map(String.init) ?? "-"); "
                + "tolerances \(guardrail.apgrTolerance) \(guardrail.accuracyTolerance)"
        }
    }

    /// What a run came to.
    public struct Outcome: Sendable {
        /// Lines for the operator (data, labels, figures).
        public var lines: [String]
        /// The candidate and the active version on the held-out slice.
        public var comparison: RetrainComparison
        public var activeVersion: Int64?
        public var decision: RetrainGuardrail.Decision
        /// The version installed, nil when kept (or not asked to install).
        public var installed: Int64?
        /// The candidate's model file.
        public var model: [UInt8]

        /// The candidate at the thresholds it is installed with (see ``RetrainThresholds``).
        public var candidate: RetrainFigures { comparison.candidate }
        /// The active version at its thresholds, nil when none.
        public var active: RetrainFigures? { comparison.active }

        /// `installed v3: ...`, `kept v2: ...`, or what would happen without `install`.
        public var verdict: String {
            switch decision {
            case .install(let why): installed.map { "installed v\($0): \(why)" } ?? "would install (pass --install): \(why)"
            case .keep(let why): activeVersion.map { "kept v\($0): \(why)" } ?? "kept the active version: \(why)"
            }
        }
    }

    /// Progress of the two long steps.
    public struct Progress {
        public var features: (_ done: Int, _ total: Int) -> Void = { _, _ in }
        public var epoch: (_ epoch: Int, _ total: Int, _ loss: Double) -> Void = { _, _, _ in }
        public init() {}
    }

    public let store: Store
    public let options: Options

    public init(store: Store, options: Options) {
        self.store = store
        self.options = options
    }

    /// Reads RouteLLM-format JSONL files.
    public static func load(_ paths: [String]) throws -> [RoutingExample] {
        var all: [RoutingExample] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw RetrainError("cannot read data file \(path)") }
            do { all += try RoutingExample.parseJSONL([UInt8](data)) } catch { throw RetrainError("\(path): \(error)") }
        }
        guard !all.isEmpty else { throw RetrainError("no rows in \(paths.joined(separator: ","))") }
        return all
    }

    /// Trains a candidate, compares it with the active version and installs it when allowed.
    public func run(base: [RoutingExample], progress: Progress = Progress()) throws -> Outcome {
        let o = options
        let policy = o.policy
        if let e = base.first(where: { policy.missingModel(in: $0) != nil }) {
            throw RetrainError("row \(e.id) has no score for \(policy.missingModel(in: e)!); pass --models")
        }
        var lines: [String] = []
        let split = HoldoutSplit(base, mode: o.holdoutBy, fraction: o.holdoutFraction, seed: o.seed)
        let (labels, counts) = try loggedLabels(since: o.since)
        let logged = RetrainLabels.examples(labels, base: base, excluding: Set(split.heldOut), policy: policy)
        lines.append("base data: \(base.count) rows from \(o.data.joined(separator: ",")); split: \(split.train.count) train, "
                     + "\(split.heldOut.count) held out (\(o.holdoutBy.rawValue), seed \(o.seed))")
        lines.append("logged labels: \(labels.count) (\(counts)); \(logged.examples.count) queries used, "
                     + "\(logged.examples.filter { policy.needsStronger($0) }.count) needing a stronger tier; "
                     + "\(logged.unresolved) without text or a base-data match, \(logged.excluded) of held-out queries left out")

        let kept = TrainingDefaults.trainingRows(base, rows: split.train, policy: policy, excludeInverted: o.excludeInverted)
        if !kept.inverted.isEmpty {
            lines.append("inverted labels (strongest model > 0.1 below the cheapest on the training rows), not trained on: "
                         + "\(kept.inverted.joined(separator: ", ")) (\(split.train.count - kept.rows.count) rows)")
        }
        var trainRows = kept.rows
        if let cap = o.maxTrainRows, cap < trainRows.count { trainRows = Array(trainRows.prefix(max(cap, 0))) }
        let all = base + logged.examples
        let rows = trainRows + Array(base.count..<all.count)
        // Base rows balanced by source (as `triage train` does) or 1; logged labels at `logWeight`
        // whatever their source, so a handful of them is not blown up to a benchmark's weight.
        var weights = o.balanceSources ? TrainingRun.balancedWeights(all, rows: trainRows) : [Double](repeating: 1, count: all.count)
        for i in base.count..<all.count { weights[i] = o.logWeight }

        let settings = FeatureSettings(hashBits: o.hashBits)
        if let p = settings.problem() { throw RetrainError(p) }
        let extractor = FeatureExtractor(settings: settings)
        var features: [FeatureVector] = []
        features.reserveCapacity(all.count)
        for (i, e) in all.enumerated() {
            features.append(extractor.extract(FeatureInput(prompt: e.prompt)))
            progress.features(i + 1, all.count)
        }
        let targets = TrainingRun.targets(all, policy: policy, mode: o.label)
        let training = TrainingOptions(epochs: o.epochs, batchSize: TrainingDefaults.batchSize, learningRate: TrainingDefaults.learningRate,
                                       l2: o.l2, seed: o.seed)
        // The choice heads, as `triage train` fits them; logged labels keep their weight here too.
        var heads = o.choiceHeads ? TrainingRun.qualities(all, policy: policy) : nil
        if heads != nil {
            var headWeights = o.balanceChoiceHeads ? weights : [Double](repeating: 1, count: all.count)
            for i in base.count..<all.count { headWeights[i] = o.logWeight }
            heads?.weights = headWeights
        }
        let model = TrainingRun.fit(features, targets: targets, weights: weights, rows: rows, settings: settings, options: training,
                                    choiceHeads: heads) { e in
            progress.epoch(e.epoch, e.epochs, e.loss)
        }
        let held = split.heldOut.map { base[$0] }
        let heldScores = TrainingRun.scores(model, features, rows: split.heldOut)
        let activeVersion = try store.activeClassifierVersion()
        var active: (version: Int64, scores: [Double], thresholds: ScoreThresholds)?
        if let v = activeVersion, let bytes = try store.classifierModel(version: v), let file = try? ModelFile.decode(bytes) {
            active = (v, held.map { file.model.score(FeatureInput(prompt: $0.prompt)) }, file.thresholds)
        }
        let own = TrainingRun.defaultThresholds(trainingScores: TrainingRun.scores(model, features, rows: rows))
        let (thresholds, how) = o.thresholds.thresholds(candidateScores: heldScores, own: own, active: active)
        lines.append("thresholds: \(how)")
        let comparison = RetrainComparison.measure(held, candidate: (heldScores, thresholds),
                                                   active: active.map { ($0.scores, $0.thresholds) }, policy: policy)
        lines.append("held-out slice: \(held.count) rows (RouteLLM protocol; accuracy = recorded quality of the model each row is routed to; "
                     + "the candidate is judged at the active version's shares of traffic per tier)")

        let reports = BenchmarkReport.bySource(held, scores: heldScores, policy: policy)
        var bySource: [String: Int] = [:]
        for i in rows { bySource[all[i].source, default: 0] += 1 }
        let summary = TrainingSummary(
            data: o.data, rows: rows.count, positives: rows.filter { targets[$0] > 0.5 }.count, rowsBySource: bySource,
            models: policy.models, label: o.label.rawValue, margin: 0,
            split: split.summary + (kept.inverted.isEmpty ? "" : "; not trained on \(kept.inverted.joined(separator: ", ")) (inverted labels)")
                + (o.balanceSources ? "; sources balanced" : "") + "; plus \(logged.examples.count) logged labels (weight \(o.logWeight))",
            holdoutBy: o.holdoutBy.rawValue, holdoutFraction: o.holdoutFraction, seed: o.seed,
            heldOutCategories: split.heldOutCategories, heldOutRows: split.heldOut.count,
            optimiser: "mini-batch Adam (beta1 0.9, beta2 0.999), cosine step decay, SplitMix64 batch order",
            epochs: training.epochs, batchSize: training.batchSize, learningRate: training.learningRate, l2: training.l2,
            command: o.command)
        let name = "retrain-" + ISO8601DateFormatter().string(from: Date())
        let file = ModelFile(name: name, model: model, thresholds: thresholds, thresholdsHow: how, training: summary,
                             metrics: Dictionary(uniqueKeysWithValues: reports.map { ($0.source, $0.metrics) }))
        let bytes = file.encode()
        let decision = o.guardrail.decide(comparison, force: o.force)
        var installed: Int64?
        if o.install, decision.installs {
            installed = try store.installClassifier(name: name, model: bytes, by: o.actor)
        }
        return Outcome(lines: lines, comparison: comparison, activeVersion: activeVersion, decision: decision,
                       installed: installed, model: bytes)
    }

    /// Labels from the misroute log, the shadow comparisons and feedback (feedback finds its query
    /// through the misroute or shadow row of the same request).
    private func loggedLabels(since: Date?) throws -> ([LoggedLabel], String) {
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

/// Why a retraining run could not start.
public struct RetrainError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
