import Foundation
import Logging
import Testing
import TriageCore
import TriageSim
@testable import TriageUpstream

/// The real ``AnthropicProvider`` over libcurl against a live simulated provider speaking
/// the Messages API.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct AnthropicProviderEndToEndTests {
    static let logger: Logger = {
        var l = Logger(label: "test.anthropic")
        l.logLevel = .warning
        return l
    }()

    /// Runs `body` with a live sim (port 0) and a client, then stops both.
    func withSim(_ behaviours: [String: SimBehaviour] = [:],
                 _ body: (AnthropicProvider, (String) -> UpstreamCall) async throws -> Void) async throws {
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let sim = SimServer(config: SimConfig(port: 0, behaviours: behaviours), logger: Self.logger) { portSink.yield($0) }
        let server = Task { try await sim.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let http = CurlHTTPClient(logger: Self.logger)
        defer { http.shutdown() }
        let provider = ProviderConfig(name: "anth", kind: .anthropic, baseURL: "http://127.0.0.1:\(port)", apiKeyEnv: "K")
        try await body(AnthropicProvider(http: http)) { model in
            let tier = TierConfig(name: "t", provider: "anth", model: model, price: Price(inputPerMTok: 1, outputPerMTok: 1), timeoutSeconds: 10)
            let chat = try! ChatRequest(body: JSONValue.parse(Array("""
            {"model":"\(model)","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the capital of France?"}]}
            """.utf8)))
            return UpstreamCall(body: chat.upstreamBody(model: model), tier: tier, provider: provider, apiKey: "sk-test")
        }
    }

    func collect(_ stream: AsyncThrowingStream<StreamItem, any Error>) async throws -> [StreamItem] {
        var items: [StreamItem] = []
        for try await item in stream { items.append(item) }
        return items
    }

    func text(_ items: [StreamItem]) -> String {
        items.compactMap { if case .chunk(_, let j) = $0 { j["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue } else { nil } }.joined()
    }

    @Test func completeAndStream() async throws {
        try await withSim { provider, call in
            let c = try await provider.complete(call("claude-sonnet-4-5"))
            #expect(c.body["choices"]?.arrayValue?.first?["message"]?["content"] == .string("The capital of France is Paris."))
            #expect(c.body["choices"]?.arrayValue?.first?["finish_reason"] == .string("stop"))
            #expect(c.usage?.completionTokens == 6)
            #expect((c.usage?.promptTokens ?? 0) > 0)

            let items = try await collect(provider.stream(call("claude-sonnet-4-5")))
            #expect(text(items) == "The capital of France is Paris.")
            guard case .done = items.last else { Issue.record("no [DONE]"); return }
            let usage = items.compactMap { if case .chunk(_, let j) = $0 { Usage(openAI: j["usage"]) } else { nil } }.last
            #expect(usage == c.usage)
        }
    }

    /// The Messages API gives one choice a call: `n` choices are `n` calls at once, joined.
    @Test func nChoicesAreAskedForOneCallEachAndJoined() async throws {
        try await withSim { provider, call in
            var three = call("claude-sonnet-4-5")
            three.body["n"] = .int(3)
            let one = try await provider.complete(call("claude-sonnet-4-5"))
            let c = try await provider.complete(three)
            let choices = c.body["choices"]?.arrayValue ?? []
            #expect(choices.compactMap { $0["index"]?.intValue } == [0, 1, 2])
            #expect(choices.allSatisfy { $0["message"]?["content"] == .string("The capital of France is Paris.") })
            let u = try #require(one.usage)
            #expect(c.usage == Usage(promptTokens: 3 * u.promptTokens, completionTokens: 3 * u.completionTokens))
            #expect(Usage(openAI: c.body["usage"]) == c.usage)

            var streamed = call("claude-sonnet-4-5")
            streamed.body["n"] = .int(2)
            let items = try await collect(provider.stream(streamed))
            var texts: [Int: String] = [:], finishes: [Int: String] = [:]
            for case .chunk(_, let j) in items {
                for choice in j["choices"]?.arrayValue ?? [] {
                    let i = choice["index"]?.intValue ?? -1
                    texts[i, default: ""] += choice["delta"]?["content"]?.stringValue ?? ""
                    if let f = choice["finish_reason"]?.stringValue { finishes[i] = f }
                }
            }
            #expect(texts == [0: "The capital of France is Paris.", 1: "The capital of France is Paris."])
            #expect(finishes == [0: "stop", 1: "stop"])
            // One usage chunk, the sum, then one [DONE], at the end.
            let usages = items.compactMap { if case .chunk(_, let j) = $0 { Usage(openAI: j["usage"]) } else { nil } }
            #expect(usages == [Usage(promptTokens: 2 * u.promptTokens, completionTokens: 2 * u.completionTokens)])
            #expect(items.filter { if case .done = $0 { true } else { false } }.count == 1)
            guard case .done = items.last else { Issue.record("no [DONE] at the end"); return }
        }
    }

    @Test func errorsBecomeFaultClasses() async throws {
        try await withSim([
            "over": SimBehaviour(failStatus: 529),
            "limited": SimBehaviour(failStatus: 429, retryAfter: 2),
            "long": SimBehaviour(failCode: "context_length_exceeded"),
            "badkey": SimBehaviour(failStatus: 401),
        ]) { provider, call in
            func failure(_ model: String, stream: Bool) async -> AttemptFailure? {
                do {
                    if stream { _ = try await collect(provider.stream(call(model))) } else { _ = try await provider.complete(call(model)) }
                    return nil
                } catch {
                    return error as? AttemptFailure
                }
            }
            for stream in [false, true] {
                #expect(await failure("over", stream: stream)?.kind == .serverError)
                #expect(await failure("over", stream: stream)?.status == 529)
                let limited = await failure("limited", stream: stream)
                #expect(limited?.kind == .rateLimited)
                #expect(limited?.retryAfter == 2)
                #expect(await failure("long", stream: stream)?.kind == .contextLengthExceeded)
                #expect(await failure("badkey", stream: stream)?.kind == .authError)
            }
        }
    }

    @Test func streamFaults() async throws {
        try await withSim([
            "cut": SimBehaviour(answer: "one two three four", cutAfterTokens: 2),
            "nostop": SimBehaviour(answer: "one two", omitDone: true),
            "bad": SimBehaviour(answer: "one two three", malformedAfterTokens: 1),
            "reset": SimBehaviour(reset: true),
        ]) { provider, call in
            do {
                _ = try await collect(provider.stream(call("cut")))
                Issue.record("a cut stream must fail")
            } catch let f as AttemptFailure {
                #expect(f.kind == .streamCut)
                #expect((f.billedUsage?.promptTokens ?? 0) > 0)
            }
            let nostop = try await collect(provider.stream(call("nostop")))
            #expect(text(nostop) == "one two")
            guard case .done = nostop.last else { Issue.record("a finished stream ends with done"); return }
            #expect(text(try await collect(provider.stream(call("bad")))) == "one two three")
            do throws(AttemptFailure) {
                _ = try await provider.complete(call("reset"))
                Issue.record("a reset must fail")
            } catch {
                #expect(error.kind == .reset)
            }
        }
    }
}
