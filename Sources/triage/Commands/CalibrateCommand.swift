import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// `triage calibrate`: sets a learned model's thresholds from its scores on routing data.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Set a learned model's thresholds so that target shares of traffic go to each tier, or so that a target share of the quality gap is kept.",
        discussion: """
        --share simple=0.6,medium=0.3,complex=0.1   thresholds at the quantiles of the model's scores on the data
        --keep-gap 0.8                              the fewest queries past the cheapest tier that keep 80% of the
                                                    gap between the cheapest and the strongest model on the data
                                                    (RouteLLM's calibration); sets simple_below only

        --classifier learned (the active version), learned:VERSION (a stored version) or learned:FILE.
        A stored version is calibrated into a new version (made active with --install); a file is rewritten
        (or written to --out), and --install also installs it. Calibrate on data the model was not evaluated on.
        Example: triage calibrate --data traffic.jsonl --share simple=0.6,medium=0.3,complex=0.1 --install
        """)

    @OptionGroup var cluster: ClusterOptions
    @Option(help: ArgumentHelp("Routing data, comma-separated (the format of `triage train`).", valueName: "F.jsonl")) var data: String
    @Option(help: ArgumentHelp("learned, learned:VERSION or learned:FILE.", valueName: "classifier")) var classifier = "learned"
    @Option(help: ArgumentHelp("Target shares per tier.", valueName: "simple=S,medium=M,complex=C")) var share: String?
    @Option(help: ArgumentHelp("Share of the quality gap to keep, in [0, 1].", valueName: "fraction")) var keepGap: Double?
    @Option(help: "Models as named in the data, cheapest first, comma-separated (for --keep-gap).")
    var models: String = LabelPolicy.routeLLMModels.joined(separator: ",")
    @Option(help: ArgumentHelp("Write the calibrated model file here (default: rewrite the input file).", valueName: "model.json")) var out: String?
    @Flag(help: "Install the calibrated model and make it the active version.") var install = false

    func validate() throws {
        guard (share == nil) != (keepGap == nil) else { throw ValidationError("give exactly one of --share and --keep-gap") }
        if let share, ThresholdCalibration.Shares(share) == nil {
            throw ValidationError("--share expects simple=S,medium=M,complex=C with shares in [0, 1] summing to 1, got '\(share)'")
        }
        if let keepGap, !(0...1).contains(keepGap) { throw ValidationError("--keep-gap expects a fraction in [0, 1]") }
        if keepGap != nil, models.split(separator: ",").count < 2 {
            throw ValidationError("--models needs at least two models, cheapest first")  // none indexed past the end
        }
        guard classifier == "learned" || classifier.hasPrefix("learned:") else {
            throw ValidationError("--classifier must be learned, learned:VERSION or learned:FILE")
        }
    }

    func run() throws {
        let config = try cluster.load()
        let (file, source) = try loadModel(config)
        let examples = try loadRoutingData(data)
        guard !examples.isEmpty else { throw ValidationError("no rows in \(data)") }
        let learned = LearnedClassifier(file)
        let scores = examples.map { learned.model.score(FeatureInput(prompt: $0.prompt)) }
        let old = file.thresholds
        var thresholds: ScoreThresholds
        var how: String
        if let share, let target = ThresholdCalibration.Shares(share) {
            thresholds = ThresholdCalibration.byShares(scores, target)
            how = "calibrate --share \(share) on \(examples.count) rows"
        } else {
            let policy = LabelPolicy(models: models.split(separator: ",").map(String.init))
            if let e = examples.first(where: { policy.missingModel(in: $0) != nil }) {
                throw ValidationError("row \(e.id) has no score for \(policy.missingModel(in: e)!); pass --models")
            }
            let ws = examples.map(policy.weakStrong)
            guard let cut = ThresholdCalibration.byKeptGap(scores: scores, weak: ws.map(\.weak), strong: ws.map(\.strong), keep: keepGap!) else {
                throw ValidationError("the strongest model is not better than the cheapest on this data: no gap to keep")
            }
            thresholds = ScoreThresholds(simpleBelow: cut.threshold, complexFrom: max(old.complexFrom, cut.threshold))
            how = "calibrate --keep-gap \(keepGap!) on \(examples.count) rows"
            print(String(format: "kept %.1f%% of the quality gap with %.1f%% of queries past the cheapest tier", cut.pgr * 100, cut.strongShare * 100))
        }
        var calibrated = file
        calibrated.thresholds = thresholds
        calibrated.thresholdsHow = how
        let before = ThresholdCalibration.shares(scores, old), after = ThresholdCalibration.shares(scores, thresholds)
        func pct(_ s: ThresholdCalibration.Shares) -> String {
            String(format: "simple %.1f%%, medium %.1f%%, complex %.1f%%", s.simple * 100, s.medium * 100, s.complex * 100)
        }
        print(String(format: "thresholds: simple_below %.4f → %.4f, complex_from %.4f → %.4f", old.simpleBelow, thresholds.simpleBelow,
                     old.complexFrom, thresholds.complexFrom))
        print("shares on the data: before \(pct(before)); after \(pct(after))")

        let bytes = calibrated.encode()
        switch source {
        case .file(let path):
            let target = out ?? path
            guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else { throw ValidationError("cannot write \(target)") }
            print("wrote \(target)")
            if install {
                let v = try cluster.openStore(config).installClassifier(name: calibrated.name, model: bytes, activate: true,
                                                                          by: ClusterOptions.actor() + " (triage calibrate)")
                print("installed as version \(v) (active)")
            }
        case .version(let from):
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw ValidationError("cannot write \(out)") }
                print("wrote \(out)")
            }
            let v = try cluster.openStore(config).installClassifier(name: calibrated.name, model: bytes, activate: install,
                                                                      by: ClusterOptions.actor() + " (triage calibrate)")
            print("stored as version \(v) (calibrated from version \(from))\(install ? ", active" : "; activate it with `triage classifier activate \(v)`")")
        }
    }

    private enum Source {
        case file(String)
        case version(Int64)
    }

    private func loadModel(_ config: TriageConfig) throws -> (ModelFile, Source) {
        let spec = classifier == "learned" ? nil : String(classifier.dropFirst("learned:".count))
        if let spec, Int64(spec) == nil {
            guard let bytes = FileManager.default.contents(atPath: spec) else { throw ValidationError("cannot read model file \(spec)") }
            do { return (try ModelFile.decode([UInt8](bytes)), .file(spec)) } catch { throw ValidationError("\(spec): \(error)") }
        }
        let store = try cluster.openStore(config)
        guard let version = try spec.flatMap(Int64.init) ?? store.activeClassifierVersion() else {
            throw ValidationError("no learned classifier is installed; pass --classifier learned:FILE")
        }
        guard let bytes = try store.classifierModel(version: version) else { throw ValidationError("no classifier version \(version)") }
        do { return (try ModelFile.decode(bytes), .version(version)) } catch { throw ValidationError("version \(version): \(error)") }
    }
}
