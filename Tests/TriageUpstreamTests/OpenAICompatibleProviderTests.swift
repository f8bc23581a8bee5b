import Logging
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
    }
}
