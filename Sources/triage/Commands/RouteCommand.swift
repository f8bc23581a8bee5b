import ArgumentParser
import Foundation
import TriageCore

/// `triage route "text"`: the routing decision, without calling any model.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Print the routing decision for a query as JSON (tier, model, reason, score) without calling any model.",
        discussion: """
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

    func run() throws {
        let config = try cluster.load()
        var messages: [JSONValue] = []
        if let system { messages.append(.object(["role": .string("system"), "content": .string(system)])) }
        messages.append(.object(["role": .string("user"), "content": .string(text)]))
        let chat = try ChatRequest(body: .object(["model": .string(model), "messages": .array(messages)]))
        let classifier = RuleClassifier(settings: config.classifier.rules)
        let decision = try TierRouter(ladder: config.ladder, classifier: classifier).decide(chat)
        let c = classifier.classify(chat)
        let out: JSONValue = .object([
            "tier": .string(decision.tier), "model": .string(decision.model), "reason": .string(decision.reason),
            "score": decision.score.map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
            "classifier": .string(classifier.name), "complexity": .string(c.complexity.rawValue),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(out), as: UTF8.self))
    }
}
