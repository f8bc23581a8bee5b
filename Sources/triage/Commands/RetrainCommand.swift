import ArgumentParser
import Foundation
import TriageCoordinator
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
        the candidate against the active version by APGR (RouteLLM protocol) and by accuracy at the same cost:
        the candidate sends the same share of the held-out queries to each tier as the active version does
        at its thresholds (its highest-scoring queries to the top), so a model cannot win by spending more.
        Installed (with --install) only when neither is lower by more than the tolerances; the table also
        shows the candidate at the thresholds it is installed with. By default (--thresholds keep-shares)
        those send the same shares of the held-out queries to each tier as the active version, so a retrain
        changes which queries go up, not how many, and spend stays where `triage calibrate` put it;
        --thresholds own installs it at its own (quantiles of its training scores, as `triage train` sets them).
        The candidate is trained with `triage train`'s defaults (\(TrainingDefaults.label.rawValue) labels, --l2 \(TrainingDefaults.l2), sources balanced,
        categories with inverted labels left out); logged labels weigh --log-weight each.
        Example: triage retrain --data ../shared/data/routellm/gsm8k.jsonl --install
        """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Base data files, comma-separated.", valueName: "A.jsonl[,B.jsonl]")) var data: String
    @Flag(help: "Install the candidate when the guardrail allows it (otherwise only report).") var install = false
    @Flag(help: "Install even when the guardrail refuses (with --install).") var force = false
    @Option(help: "How much lower the candidate's held-out APGR may be.") var apgrTolerance: Double = 0.01
    @Option(help: "How much lower the candidate's held-out accuracy may be, at the active version's shares of traffic per tier.") var accuracyTolerance: Double = 0.02
    @Option(help: "Hold out whole categories (category) or a random slice (random).") var holdoutBy: String = TrainingDefaults.holdoutBy.rawValue
    @Option(help: "Share of the data held out.") var holdoutFraction: Double = TrainingDefaults.holdoutFraction
    @Option(help: "Seed of the split and of the optimiser.") var seed: UInt64 = TrainingDefaults.seed
    @Option(help: "Training target: gain (soft target from the score difference) or binary.") var label: String = TrainingDefaults.label.rawValue
    @Option(help: "Models of the ladder as named in the data, cheapest first, comma-separated.") var models: String = LabelPolicy.routeLLMModels.joined(separator: ",")
    @Option(help: "Weight of a logged label against a base row.") var logWeight: Double = 2
    @Option(help: "Only logged labels since this date (2026-11-01 or ISO 8601).") var since: String?
    @Option(help: "Use at most this many base training rows (quick runs).") var maxTrainRows: Int?
    @Option(help: "Epochs of mini-batch Adam.") var epochs: Int = TrainingDefaults.epochs
    @Option(help: "L2 penalty.") var l2: Double = TrainingDefaults.l2
    @Option(help: "Hashed feature buckets: 2^bits.") var hashBits: Int = TrainingDefaults.hashBits
    @Flag(inversion: .prefixedNo, help: "Weigh base training rows so that every source (benchmark) has the same total weight.") var balanceSources = TrainingDefaults.balanceSources
    @Flag(help: "Keep base-data categories where the strongest model scores more than 0.1 below the cheapest (dropped by default as grading artefacts).") var keepInverted = !TrainingDefaults.excludeInverted
    @Flag(inversion: .prefixedNo, help: "Also fit two heads for multiple-choice queries, as triage train does.") var choiceHeads = TrainingDefaults.choiceHeads
    @Flag(inversion: .prefixedNo, help: "Weigh the choice heads' base rows like the main weights' (--balance-sources) rather than every row alike.") var balanceHeads = TrainingDefaults.balanceChoiceHeads
    @Option(help: ArgumentHelp("keep-shares: the active version's shares of traffic per tier; own: the candidate's own thresholds.", valueName: "keep-shares|own"))
    var thresholds: String = RetrainThresholds.keepShares.rawValue
    @Option(help: ArgumentHelp("Also write the candidate model file here.", valueName: "model.json")) var out: String?

    func validate() throws {
        // Out of these ranges the split or the optimiser trapped (a negative prefix, an empty epoch range).
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard holdoutFraction > 0, holdoutFraction < 1 else { throw ValidationError("--holdout-fraction must be in (0, 1): the guardrail judges on the held-out rows") }
        guard logWeight >= 0 else { throw ValidationError("--log-weight must not be negative") }
    }

    func run() throws {
        let start = Date()
        let config = try cluster.load()
        let store = try cluster.openStore(config)
        let base = try loadRoutingData(data)
        var o = Retrainer.Options(data: data.split(separator: ",").map(String.init))
        let models = self.models.split(separator: ",").map(String.init)
        guard models.count >= 2 else { throw ValidationError("--models needs at least two models") }
        o.policy = LabelPolicy(models: models)
        guard let mode = HoldoutSplit.Mode(rawValue: holdoutBy) else { throw ValidationError("--holdout-by must be category or random") }
        guard let labelMode = LabelMode(rawValue: label) else { throw ValidationError("--label must be binary or gain") }
        guard let thresholdChoice = RetrainThresholds(rawValue: thresholds) else { throw ValidationError("--thresholds must be keep-shares or own") }
        if force && !install { throw ValidationError("--force needs --install") }
        o.since = try since.map { s -> Date in
            guard let d = TeamAdmin.parseDate(s) else { throw ValidationError("--since expects a date like 2026-11-01") }
            return d
        }
        o.install = install
        o.force = force
        o.guardrail = RetrainGuardrail(apgrTolerance: apgrTolerance, accuracyTolerance: accuracyTolerance)
        (o.holdoutBy, o.holdoutFraction, o.seed, o.label) = (mode, holdoutFraction, seed, labelMode)
        (o.logWeight, o.maxTrainRows, o.epochs, o.l2, o.hashBits) = (logWeight, maxTrainRows, epochs, l2, hashBits)
        (o.balanceSources, o.excludeInverted) = (balanceSources, !keepInverted)
        (o.choiceHeads, o.balanceChoiceHeads, o.thresholds) = (choiceHeads, balanceHeads, thresholdChoice)
        o.command = "triage " + CommandLine.arguments.dropFirst().joined(separator: " ")
        o.actor = ClusterOptions.actor() + " (triage retrain)"

        var featureBar: ProgressBar?
        var trainBar: ProgressBar?
        var progress = Retrainer.Progress()
        progress.features = { done, total in
            if featureBar == nil { featureBar = ProgressBar("features", total: total, unit: "rows") }
            featureBar?.advance(to: done)
        }
        progress.epoch = { epoch, total, loss in
            if trainBar == nil { trainBar = ProgressBar("train", total: total, unit: "epochs") }
            trainBar?.advance(to: epoch, detail: "loss \(String(format: "%.4f", loss))")
        }
        let outcome: Retrainer.Outcome
        do {
            outcome = try Retrainer(store: store, options: o).run(base: base, progress: progress)
        } catch let e as RetrainError {
            throw ValidationError(e.description)
        }
        for line in outcome.lines { print(line) }
        var table = [figureRow("candidate (as installed)", outcome.candidate)]
        if let active = outcome.active, let v = outcome.activeVersion {
            if let same = outcome.comparison.candidateAtActiveShares { table.append(figureRow("candidate at v\(v)'s shares", same)) }
            table.append(figureRow("active v\(v)", active))
        }
        printTable(["classifier", "APGR", "accuracy", "sent above cheapest"], table)
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(outcome.model)) else { throw ValidationError("cannot write \(out)") }
            print("wrote \(out)")
        }
        let took = String(format: "%.1f s", Date().timeIntervalSince(start))
        switch outcome.decision {
        case .keep(let why) where !install:
            print("would keep the active version: \(why) (\(took))")
        default:
            print("\(outcome.verdict) (\(took)\(outcome.installed != nil ? "; workers switch to it within seconds" : ""))")
        }
    }

    private func figureRow(_ name: String, _ f: RetrainFigures) -> [String] {
        [name, fixed3(f.apgr), fixed3(f.accuracy), pct(f.strongShare)]
    }
}
