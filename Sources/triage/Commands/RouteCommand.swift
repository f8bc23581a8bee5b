import ArgumentParser
import Foundation
import Logging
import TriageCore
import TriageStore
import TriageWorker

/// `triage route "text"`: the routing decision and every classifier's score, without calling any tier model.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Print the routing decision for a query as JSON, with each classifier's score, without calling any tier model.",
        discussion: """
        Shows the rules' score; the learned classifier's (the active stored version, or --model FILE) with the
        features that weighed most (weight × value, in log-odds); and the judge's, when a judge is configured
        and answers (it is called once; --no-judge skips it). The decision follows classifier.kind in the config.
        Example: triage route "What is the capital of France?"
                 triage route --system "You are a staff engineer." "Design a rate limiter for our API"
        """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "The user's query.")
    var text: String

    @Option(help: "A system prompt to include (counts as context).")
    var system: String?

    @Option(help: "The request's model field: auto, a tier name or a configured model.")
    var model = "auto"

    @Option(help: ArgumentHelp("A model file to score with instead of the active stored version.", valueName: "model.json"))
    var modelFile: String?

    @Option(help: "How many learned features to show.")
    var top = 10

    @Flag(help: "Do not call the judge.")
    var noJudge = false

    func validate() throws {
        guard top >= 0 else { throw ValidationError("--top must not be negative") }  // a negative prefix trapped
    }

    func run() async throws {
        let config = try cluster.load()
        var messages: [JSONValue] = []
        if let system { messages.append(.object(["role": .string("system"), "content": .string(system)])) }
        messages.append(.object(["role": .string("user"), "content": .string(text)]))
        let chat = try ChatRequest(body: .object(["model": .string(model), "messages": .array(messages)]))
        let ladder = config.ladder
        func round(_ d: Double) -> JSONValue { .double((d * 1000).rounded() / 1000) }
        func tier(_ c: Complexity) -> JSONValue { .string(ladder.tiers[ladder.index(for: c)].name) }

        // Rules.
        let rules = RuleClassifier(settings: config.classifier.rules)
        let r = rules.classify(chat)
        var scores: [String: JSONValue] = [
            "rules": .object(["score": round(r.score), "tier": tier(r.complexity), "reason": .string(r.reason)]),
        ]
        var chosen: (any Classifier, String) = (rules, "rules")

        // Learned: a file, or the active stored version.
        if let (file, label) = try learnedModel(config) {
            let learned = LearnedClassifier(file)
            let c = learned.classify(chat)
            let input = FeatureInput(request: chat)
            let features: [JSONValue] = learned.model.contributions(input, top: top).map {
                .object(["feature": .string($0.feature), "weight_x_value": round($0.contribution)])
            }
            scores["learned"] = .object([
                "model": .string(label), "score": round(c.score), "tier": tier(c.complexity),
                "thresholds": .object(["simple_below": round(file.thresholds.simpleBelow), "complex_from": round(file.thresholds.complexFrom)]),
                "log_odds": round(learned.model.margin(input)), "top_features": .array(features),
            ])
            if config.classifier.kind == "learned" { chosen = (learned, label) }
        } else {
            scores["learned"] = .object(["error": .string("no learned model installed (triage classifier install, or --model-file)")])
        }

        var decision = try TierRouter(ladder: ladder, classifier: chosen.0).decide(chat)
        var classifierLabel = chosen.1

        // Judge: called once, when configured.
        if !noJudge, let judge = JudgeClient.standalone(config, environment: ProcessInfo.processInfo.environment,
                                                         logger: Logger(label: "triage.route")) {
            do {
                let (s, reply) = try await judge.rateComplexity(chat.query)
                let thresholds = config.classifier.judge?.thresholds ?? JudgeStepConfig.defaultThresholds
                let c = thresholds.complexity(for: s)
                scores["judge"] = .object([
                    "model": .string(judge.config.model), "score": round(s), "tier": tier(c), "reply": .string(String(reply.text.prefix(200))),
                    "ms": .int(Int64(reply.latency.components.seconds * 1000 + reply.latency.components.attoseconds / 1_000_000_000_000_000)),
                    "cost_usd": .string(reply.cost.description),
                ])
                if config.classifier.judge != nil, decision.score != nil, shouldUseJudge(config, learnedScore: decision.score!, chosen: chosen.0) {
                    let i = ladder.index(for: c)
                    decision = RoutingDecision(tierIndex: i, tier: ladder.tiers[i].name, model: ladder.tiers[i].model,
                                               reason: "judge: rating score \((s * 1000).rounded() / 1000); " + decision.reason, score: s)
                    classifierLabel += "+judge"
                }
            } catch {
                scores["judge"] = .object(["model": .string(judge.config.model), "error": .string("\(error)")])
            }
        }

        let out: JSONValue = .object([
            "tier": .string(decision.tier), "model": .string(decision.model), "reason": .string(decision.reason),
            "score": decision.score.map(round) ?? .null, "classifier": .string(classifierLabel),
            "scores": .object(scores),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(out), as: UTF8.self))
    }

    /// Whether the configured chain would consult the judge for this decision.
    private func shouldUseJudge(_ config: TriageConfig, learnedScore: Double, chosen: any Classifier) -> Bool {
        guard let step = config.classifier.judge else { return false }
        switch step.when {
        case .always: return true
        case .nearThreshold:
            guard let learned = chosen as? LearnedClassifier else { return false }
            return learned.thresholds.isNear(learnedScore, margin: step.margin)
        }
    }

    private func learnedModel(_ config: TriageConfig) throws -> (ModelFile, String)? {
        if let modelFile {
            guard let bytes = FileManager.default.contents(atPath: modelFile) else { throw ValidationError("cannot read model file \(modelFile)") }
            do { return (try ModelFile.decode([UInt8](bytes)), "file:\(modelFile)") } catch { throw ValidationError("\(modelFile): \(error)") }
        }
        // Only an existing store: routing a query should not create one.
        guard FileManager.default.fileExists(atPath: Store.defaultPath(dataDir: config.dataDir)),
              let store = try? cluster.openStore(config), let version = try store.activeClassifierVersion(),
              let bytes = try store.classifierModel(version: version) else { return nil }
        do { return (try ModelFile.decode(bytes), "learned:v\(version)") } catch { throw ValidationError("stored version \(version): \(error)") }
    }
}
