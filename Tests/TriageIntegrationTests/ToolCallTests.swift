import Foundation
import Testing
import TriageCore

extension Integration {
    /// Agent traffic: answers that call tools instead of writing text. A usable tool call is an
    /// answer like any other (before, the empty-text check climbed every one to the next tier and
    /// charged both); an unusable one (arguments that are not JSON) climbs; a streamed call counts
    /// as the answer's tokens for the time limits. Served through both adapters (OpenAI, Anthropic).
    @Suite struct ToolCallTests {
        typealias W = FaultWorld

        /// A request offering `get_weather(city, required)`.
        static func body(_ model: String, stream: Bool = false) -> JSONValue {
            var body = chatBody("What will the weather be in Paris?", model: model, stream: stream)
            body["tools"] = .array([.object([
                "type": .string("function"),
                "function": .object([
                    "name": .string("get_weather"),
                    "parameters": .object([
                        "type": .string("object"),
                        "properties": .object(["city": .object(["type": .string("string")])]),
                        "required": .array([.string("city")]),
                    ]),
                ]),
            ])])
            return body
        }

        /// The arguments of `get_weather`, parsed: nil when they are not a JSON object.
        static func arguments(_ text: String?) -> [String: JSONValue]? {
            text.flatMap { try? JSONValue.parse(Array($0.utf8)) }?.objectValue
        }

        @Test func toolCallsAreAnswersAndOnlyUnusableOnesClimb() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // The medium tier on the Anthropic adapter; a first-token limit shorter than a slow call takes.
            let w = try await W.start(env, failover: "{first_token_timeout_s: 0.4}", configure: AnthropicFaultTests.anthropicMedium)
            try await w.sim.setBehaviours("{}")  // no fixed answers: the models call the tool offered

            // A usable call from the cheapest tier is the answer: one attempt, no quality issue.
            let r = try await w.cluster.http.post(w.cluster.chatURL, json: Self.body("auto"))
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "simple" && r.headers["x-triage-attempts"] == "1", "\(r.headers)")
            #expect(r.headers["x-triage-quality"] == nil, "\(r.headers["x-triage-quality"] ?? "")")
            let choice = try r.json()["choices"]?.arrayValue?.first
            #expect(choice?["finish_reason"]?.stringValue == "tool_calls")
            let call = choice?["message"]?["tool_calls"]?.arrayValue?.first?["function"]
            #expect(call?["name"]?.stringValue == "get_weather")
            #expect(Self.arguments(call?["arguments"]?.stringValue)?["city"]?.stringValue == "sim", "\(call.map { "\($0)" } ?? "nil")")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 0, W.complex: 0])

            // Arguments that are not JSON climb to the tier above (Anthropic's tool_use, translated back).
            try await w.sim.setBehaviours(#"{"\#(W.simple)": {"tool_args_malformed": true}}"#)
            try await w.sim.reset()
            let m = try await w.cluster.http.post(w.cluster.chatURL, json: Self.body("auto"))
            #expect(m.status == 200, "\(m.text)")
            #expect(m.headers["x-triage-tier"] == "medium", "\(m.headers)")
            #expect(m.headers["x-triage-fallbacks"]?.contains("low_quality") == true, "\(m.headers["x-triage-fallbacks"] ?? "nil")")
            #expect(m.headers["x-triage-reason"]?.contains("invalid_tool_call") == true || m.headers["x-triage-reason"]?.contains("low_quality") == true,
                    "\(m.headers["x-triage-reason"] ?? "nil")")
            let medium = try m.json()["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.first?["function"]
            #expect(medium?["name"]?.stringValue == "get_weather")
            #expect(Self.arguments(medium?["arguments"]?.stringValue)?["city"]?.stringValue == "sim", "\(medium.map { "\($0)" } ?? "nil")")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])

            // A streamed call from the Anthropic tier, slower than the first-token limit: its pieces are tokens.
            try await w.sim.setBehaviours(#"{"\#(W.medium)": {"tpot_ms": 600}}"#)
            try await w.sim.reset()
            let s = try await w.cluster.http.stream(w.cluster.chatURL, json: Self.body("medium", stream: true))
            #expect(s.status == 200 && s.sawDone && s.errorEvent == nil, "\(s.raw)")
            var name = "", text = ""
            for chunk in s.chunks {
                for piece in chunk["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    name += piece["function"]?["name"]?.stringValue ?? ""
                    text += piece["function"]?["arguments"]?.stringValue ?? ""
                }
            }
            #expect(name == "get_weather")
            #expect(Self.arguments(text)?["city"]?.stringValue == "sim", "arguments streamed: \(text)")
            #expect(s.chunks.contains { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "tool_calls" })
            #expect(s.headers["x-triage-attempts"] == nil || s.headers["x-triage-attempts"] == "1")
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 1, W.complex: 0], "no first_token_timeout retry")
        }

        /// Structured output on a tier served by Anthropic, which has no `response_format`: the format
        /// becomes a tool the model must call, and its input comes back as the answer's text.
        @Test func aResponseFormatIsAnsweredInItsSchemaThroughTheAnthropicAdapter() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, configure: AnthropicFaultTests.anthropicMedium)
            // No fixed answers; the cheap model answers in prose whatever the format asks.
            try await w.sim.setBehaviours(#"{"\#(W.simple)": {"ignore_response_format": true}}"#)
            func body(_ model: String, stream: Bool = false) -> JSONValue {
                var body = chatBody("What will the weather be in Paris? Answer in JSON.", model: model, stream: stream)
                body["response_format"] = .object(["type": .string("json_schema"), "json_schema": .object([
                    "name": .string("forecast"), "strict": .bool(true),
                    "schema": .object([
                        "type": .string("object"),
                        "properties": .object(["city": .object(["type": .string("string")]), "celsius": .object(["type": .string("number")])]),
                        "required": .array([.string("city"), .string("celsius")]),
                    ]),
                ])])
                return body
            }
            let expected: JSONValue = .object(["city": .string("sim"), "celsius": .double(1.5)])

            // The cheap tier (made to ignore the format) answers in prose: the quality check climbs;
            // the Anthropic tier's answer follows the schema.
            let r = try await w.cluster.http.post(w.cluster.chatURL, json: body("auto"))
            #expect(r.status == 200, "\(r.text)")
            #expect(r.headers["x-triage-tier"] == "medium", "\(r.headers)")
            #expect(r.headers["x-triage-fallbacks"]?.contains("low_quality") == true, "\(r.headers["x-triage-fallbacks"] ?? "nil")")
            #expect(r.headers["x-triage-quality"] == nil, "\(r.headers["x-triage-quality"] ?? "")")
            let choice = try r.json()["choices"]?.arrayValue?.first
            #expect(choice?["finish_reason"]?.stringValue == "stop")
            #expect(choice?["message"]?["tool_calls"] == nil)
            let content = choice?["message"]?["content"]?.stringValue ?? ""
            #expect((try? JSONValue.parse(Array(content.utf8))) == expected, "\(content)")
            #expect(try await w.attempts() == [W.simple: 1, W.medium: 1, W.complex: 0])

            // Streamed: the tool's input arrives as content pieces, and the stream ends with `stop`.
            let s = try await w.cluster.http.stream(w.cluster.chatURL, json: body("medium", stream: true))
            #expect(s.status == 200 && s.sawDone && s.errorEvent == nil, "\(s.raw)")
            let streamed = s.chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect((try? JSONValue.parse(Array(streamed.utf8))) == expected, "\(streamed)")
            #expect(!s.chunks.contains { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"] != nil })
            #expect(s.chunks.contains { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop" })
        }

        /// With `n` > 1 each choice is its own answer: the quality check reads the first choice's tool
        /// call and text (as for a whole answer), not every choice's pieces run together.
        @Test func aStreamOfSeveralChoicesIsCheckedByItsFirstChoice() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env) { spec, sim in
                AnthropicFaultTests.anthropicMedium(&spec, sim)
                spec.tierQuality["medium"] = "buffer"  // a poor answer climbs, even streamed
            }
            try await w.sim.setBehaviours("{}")  // no fixed answers: the models call the tool offered
            var body = Self.body("medium", stream: true)
            body["n"] = .int(2)
            let s = try await w.cluster.http.stream(w.cluster.chatURL, json: body)
            #expect(s.status == 200 && s.sawDone && s.errorEvent == nil, "\(s.raw)")
            #expect(s.headers["x-triage-tier"] == "medium", "\(s.headers)")
            #expect(s.headers["x-triage-fallbacks"] == nil, "both choices' calls are usable: \(s.headers["x-triage-fallbacks"] ?? "")")
            var arguments: [Int: String] = [:]
            for chunk in s.chunks {
                for choice in chunk["choices"]?.arrayValue ?? [] {
                    for piece in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                        arguments[choice["index"]?.intValue ?? -1, default: ""] += piece["function"]?["arguments"]?.stringValue ?? ""
                    }
                }
            }
            #expect(arguments.keys.sorted() == [0, 1])
            #expect(arguments.values.allSatisfy { Self.arguments($0)?["city"]?.stringValue == "sim" }, "\(arguments)")
            #expect(try await w.attempts() == [W.simple: 0, W.medium: 2, W.complex: 0], "two calls, one attempt")
        }
    }
}
