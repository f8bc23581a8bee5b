import Logging
import Synchronization
import Testing
import TriageCore
@testable import TriageUpstream

/// ``OpenAICompatibleProvider`` against an upstream that picks its answer by the `Accept` header,
/// as a static mock (nginx) or a content-negotiating proxy does.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct OpenAICompatibleProviderTests {
    private static let logger = Logger(label: "test.openai")

    private static let json = #"{"object":"chat.completion","id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#
    private static let sse = "data: {\"object\":\"chat.completion.chunk\",\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Paris.\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"object\":\"chat.completion.chunk\",\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n"

    @Test func streamCallsAskForEventStreamAndPlainCallsForJSON() async throws {
        let server = TestHTTPServer { connection in
            while let request = connection.readRequest() {
                if request.headers["accept"]?.contains("text/event-stream") == true {
                    connection.respond(headers: [("Content-Type", "text/event-stream")], body: Array(Self.sse.utf8))
                } else if request.headers["accept"] == "application/json" {
                    connection.respond(headers: [("Content-Type", "application/json")], body: Array(Self.json.utf8))
                } else {
                    connection.respond(status: 406, body: Array("accept: \(request.headers["accept"] ?? "none")".utf8))
                }
            }
        }
        let http = CurlHTTPClient(logger: Self.logger)
        defer {
            http.shutdown()
            server.stop()
        }
        let provider = OpenAICompatibleProvider(http: http)
        let config = ProviderConfig(name: "up", kind: .openai, baseURL: server.url + "/v1", apiKeyEnv: nil)
        let tier = TierConfig(name: "t", provider: "up", model: "m", price: Price(inputPerMTok: 1, outputPerMTok: 1), timeoutSeconds: 10)
        let body = try JSONValue.parse(Array(#"{"model":"m","messages":[{"role":"user","content":"Capital of France?"}]}"#.utf8))
        let call = UpstreamCall(body: body, tier: tier, provider: config, apiKey: nil)

        let completion = try await provider.complete(call)
        #expect(completion.body["choices"]?.arrayValue?.first?["message"]?["content"] == .string("Paris."))
        #expect(completion.usage?.completionTokens == 2)

        var text = "", done = false
        for try await item in provider.stream(call) {
            switch item {
            case .chunk(_, let chunk):
                text += chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue ?? ""
            case .done:
                done = true
            case .skipped(let reason):
                Issue.record("skipped event: \(reason)")
            }
        }
        #expect(text == "Paris.")
        #expect(done)

        // The events are parsed on the executor the call names (a worker's event loop), not on
        // another thread that then hands each one over.
        let executor = CountingExecutor()
        var onExecutor = call
        onExecutor.executor = executor
        var events = 0
        for try await _ in provider.stream(onExecutor) { events += 1 }
        #expect(events == 3)
        #expect(executor.jobs.load(ordering: .relaxed) > 0, "the stream's parsing ran on the call's executor")
    }

    /// A failed call whose answer still reports usage was billed by the provider: the failure
    /// carries it, so the worker charges it (an error without usage charges nothing).
    @Test func failuresCarryTheUsageTheProviderReported() async throws {
        let usage = #""usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}"#
        let server = TestHTTPServer { connection in
            while let request = connection.readRequest() {
                let json = [("Content-Type", "application/json")]
                switch request.path {
                case "/a/v1/chat/completions":  // an error that reports what it billed
                    connection.respond(status: 500, headers: json, body: Array(#"{"error":{"message":"generation failed","type":"server_error"},\#(usage)}"#.utf8))
                case "/b/v1/chat/completions":  // 200, but not a chat completion
                    connection.respond(headers: json, body: Array(#"{"object":"list",\#(usage)}"#.utf8))
                default:  // an error without usage
                    connection.respond(status: 503, headers: json, body: Array(#"{"error":{"message":"overloaded","type":"server_error"}}"#.utf8))
                }
            }
        }
        let http = CurlHTTPClient(logger: Self.logger)
        defer {
            http.shutdown()
            server.stop()
        }
        let provider = OpenAICompatibleProvider(http: http)
        let tier = TierConfig(name: "t", provider: "up", model: "m", price: Price(inputPerMTok: 1, outputPerMTok: 1), timeoutSeconds: 10)
        let body = try JSONValue.parse(Array(#"{"model":"m","messages":[{"role":"user","content":"Capital of France?"}]}"#.utf8))
        func failure(_ prefix: String, stream: Bool) async -> AttemptFailure? {
            let call = UpstreamCall(body: body, tier: tier, provider: ProviderConfig(name: "up", kind: .openai, baseURL: server.url + prefix + "/v1", apiKeyEnv: nil), apiKey: nil)
            do {
                if stream {
                    for try await _ in provider.stream(call) {}
                } else {
                    _ = try await provider.complete(call)
                }
                return nil
            } catch let f as AttemptFailure {
                return f
            } catch {
                Issue.record("unexpected error \(error)")
                return nil
            }
        }
        for stream in [false, true] {
            let billed = await failure("/a", stream: stream)
            #expect(billed?.status == 500 && billed?.message == "generation failed", "stream \(stream)")
            #expect(billed?.billedUsage?.promptTokens == 11 && billed?.billedUsage?.completionTokens == 7, "stream \(stream)")
            let none = await failure("/c", stream: stream)
            #expect(none?.status == 503 && none?.billedUsage == nil, "stream \(stream)")
        }
        let notACompletion = await failure("/b", stream: false)
        #expect(notACompletion?.kind == .malformed && notACompletion?.billedUsage?.completionTokens == 7)
    }
}

/// A task executor that counts the jobs it runs (on the global executor).
private final class CountingExecutor: TaskExecutor {
    let jobs = Atomic<Int>(0)

    func enqueue(_ job: consuming ExecutorJob) {
        jobs.add(1, ordering: .relaxed)
        let unowned = UnownedJob(job)
        globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
    }
}
