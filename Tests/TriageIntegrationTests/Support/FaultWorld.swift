import Foundation
import Testing
import TriageCore

/// A stand-alone `triage sim` with faults on demand and a cluster whose tiers call it, for the
/// fault tests. Every model answers a fixed text of its own (``answer(_:)``), so a test can tell
/// a complete answer from a truncated one and see which model wrote it.
struct FaultWorld: Sendable {
    static let simple = "gpt-4o-mini"
    static let medium = "claude-sonnet-4-5"
    static let complex = "claude-opus-4-1"
    static let models = [simple, medium, complex]
    /// A question the rules classifier routes to the simple tier.
    static let question = "What is the capital of France?"

    let env: IntegrationEnv
    let sim: Sim
    let cluster: Cluster

    /// Tokens (words with their leading space) of every ``answer(_:)``.
    static let answerTokens = 18

    /// The fixed answer of a model: ``answerTokens`` tokens.
    static func answer(_ model: String) -> String {
        "\(model) says: Paris is the capital of France, on the Seine, and it has been for many centuries."
    }

    /// A behaviours object in which every model answers ``answer(_:)``; `faults` adds members
    /// (JSON object members without braces, e.g. `"fail_status": 503`) to a model's behaviour.
    static func behaviours(_ faults: [String: String] = [:]) -> String {
        let entries = models.map { m in
            let extra = faults[m].map { ", " + $0 } ?? ""
            return "\"\(m)\": {\"answer\": \"\(answer(m))\"\(extra)}"
        }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    /// Starts the simulated provider with `faults`, then a cluster on it.
    /// - Parameters:
    ///   - failover: The `failover:` mapping in flow style.
    ///   - workers: Worker processes.
    ///   - configure: Further changes to the cluster's spec, given the simulated provider.
    static func start(_ env: IntegrationEnv, faults: [String: String] = [:], failover: String? = nil, workers: Int = 1,
                      configure: (inout ClusterSpec, Sim) -> Void = { _, _ in }) async throws -> FaultWorld {
        let sim = try await env.startSim(behaviours: behaviours(faults))
        var spec = ClusterSpec(workers: workers, provider: .openAI(baseURL: sim.openAIBase), failover: failover)
        configure(&spec, sim)
        let cluster = try await env.startCluster(spec)
        return FaultWorld(env: env, sim: sim, cluster: cluster)
    }

    /// Replaces the faults and zeroes the provider's attempt counts.
    func setFaults(_ faults: [String: String]) async throws {
        try await sim.setBehaviours(Self.behaviours(faults))
        try await sim.reset()
    }

    /// A non-stream request, with its wall time in seconds.
    func chat(model: String = "auto", _ text: String = question) async throws -> (HTTPResult, Double) {
        try await timed { try await cluster.http.post(cluster.chatURL, json: chatBody(text, model: model)) }
    }

    /// A stream request read to its end, with its wall time in seconds.
    func stream(model: String = "auto", _ text: String = question, includeUsage: Bool = false) async throws -> (SSEResult, Double) {
        var body = chatBody(text, model: model, stream: true)
        if includeUsage { body["stream_options"] = .object(["include_usage": .bool(true)]) }
        return try await timed { try await cluster.http.stream(cluster.chatURL, json: body) }
    }

    /// The provider's attempts per model, with zeroes for models it did not see.
    func attempts() async throws -> [String: Int] {
        var a = try await sim.attempts()
        for m in Self.models where a[m] == nil { a[m] = 0 }
        return a
    }

    /// Clears every fault, then expects one request (stream or not) to be answered completely by
    /// `model`, in one attempt.
    func expectHealthy(model: String = simple, stream: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await setFaults([:])
        if stream {
            let (s, _) = try await self.stream()
            #expect(s.status == 200, "healthy stream: \(s.raw)", sourceLocation: sourceLocation)
            #expect(s.content == Self.answer(model), "healthy stream content: \(s.content)", sourceLocation: sourceLocation)
            #expect(s.data.last == "[DONE]", sourceLocation: sourceLocation)
        } else {
            let (r, _) = try await chat()
            #expect(r.status == 200, "healthy request: \(r.text)", sourceLocation: sourceLocation)
            #expect(r.headers["x-triage-model"] == model, "healthy request served by \(r.headers["x-triage-model"] ?? "nil")",
                    sourceLocation: sourceLocation)
            #expect(r.content == Self.answer(model), "healthy content: \(r.content ?? "nil")", sourceLocation: sourceLocation)
        }
        let a = try await attempts()
        #expect(a[model] == 1 && a.values.reduce(0, +) == 1, "healthy request attempts: \(a)", sourceLocation: sourceLocation)
    }
}

extension HTTPResult {
    /// `choices[0].message.content` of a chat completion.
    var content: String? { (try? json())?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue }
}

extension SSEResult {
    /// The `error` object of the last data event, if that event is an error.
    var errorEvent: JSONValue? {
        guard let last = data.last, last != "[DONE]" else { return nil }
        return (try? JSONValue.parse(Array(last.utf8)))?["error"]
    }

    var sawDone: Bool { data.contains("[DONE]") }

    /// The streamed text of each choice, by its index (several with `n` > 1).
    var textsByChoice: [Int: String] {
        var texts: [Int: String] = [:]
        for chunk in chunks {
            for choice in chunk["choices"]?.arrayValue ?? [] {
                texts[choice["index"]?.intValue ?? -1, default: ""] += choice["delta"]?["content"]?.stringValue ?? ""
            }
        }
        return texts
    }
}

/// Runs `body` and measures its wall time in seconds.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    let d = start.duration(to: .now).components
    return (value, Double(d.seconds) + Double(d.attoseconds) / 1e18)
}
