import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

@Suite struct ChatCompletionTests {
    @Test func nonStreamShapeAndUsage() async throws {
        try await SimTest.app().test(.router) { client in
            let response = try await SimTest.chat(client, SimTest.chatBody(model: "gpt-4o-mini", prompt: "What is the capital of France?"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[HTTPField.Name("x-sim-replay")!] == nil)
            let completion = try SimTest.decode(Completion.self, response.body)
            #expect(completion.id.hasPrefix("chatcmpl-sim-"))
            #expect(completion.object == "chat.completion")
            #expect(completion.model == "gpt-4o-mini")
            #expect(completion.created > 1_600_000_000)
            #expect(completion.choices.count == 1)
            #expect(completion.choices[0].message.role == "assistant")
            #expect(completion.choices[0].message.content == "The capital of France is Paris.")
            #expect(completion.choices[0].finish_reason == "stop")
            // ceil((16 + 30) / 4) + 4 * 2 messages
            #expect(completion.usage.prompt_tokens == 12 + 8)
            #expect(completion.usage.completion_tokens == 6)
            #expect(completion.usage.total_tokens == 26)
        }
    }

    @Test func answersAreDeterministicAndLongerForLongerPrompts() async throws {
        try await SimTest.app().test(.router) { client in
            let short = "Tell me about rivers."
            let long = String(repeating: "Explain how rivers shape valleys over long periods of time. ", count: 8)
            let a = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: short)).body)
            let b = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: short)).body)
            let c = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: long)).body)
            #expect(a.choices[0].message.content == b.choices[0].message.content)
            #expect(a.choices[0].message.content.first?.isUppercase == true)
            #expect(c.usage.completion_tokens > a.usage.completion_tokens)
        }
    }

    @Test func contentPartsAreAccepted() async throws {
        try await SimTest.app().test(.router) { client in
            let body = #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is the capital "},{"type":"text","text":"of Japan?"}]}]}"#
            let response = try await SimTest.chat(client, ByteBuffer(string: body))
            let completion = try SimTest.decode(Completion.self, response.body)
            #expect(completion.choices[0].message.content == "The capital of Japan is Tokyo.")
            #expect(completion.usage.prompt_tokens == (29 + 3) / 4 + 4)
        }
    }

    @Test(arguments: [nil, false, true] as [Bool?])
    func streamMatchesNonStream(includeUsage: Bool?) async throws {
        try await SimTest.app().test(.router) { client in
            let prompt = "How do I choose between two job offers with different salaries and growth prospects?"
            let plain = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: prompt)).body)
            let response = try await SimTest.chat(client, SimTest.chatBody(prompt: prompt, stream: true, includeUsage: includeUsage))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")

            let events = SimTest.events(response.body)
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(Chunk.self, from: Data($0.utf8)) }
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" && $0.model == "sim-small" })
            #expect(Set(chunks.map(\.id)).count == 1)

            #expect(chunks.first?.choices.first?.delta.role == "assistant")
            #expect(chunks.first?.choices.first?.delta.content == "")
            let usageChunks = chunks.filter { $0.usage != nil }
            let contentChunks = chunks.dropFirst().filter { $0.choices.first?.finish_reason == nil && !$0.choices.isEmpty }
            let deltas = contentChunks.compactMap { $0.choices.first?.delta.content }
            #expect(deltas.joined() == plain.choices[0].message.content)
            #expect(deltas.count == plain.usage.completion_tokens)

            let finish = chunks.filter { $0.choices.first?.finish_reason != nil }
            #expect(finish.count == 1)
            #expect(finish.first?.choices.first?.finish_reason == "stop")
            #expect(finish.first?.choices.first?.delta.content == nil)

            if includeUsage == true {
                #expect(usageChunks.count == 1)
                #expect(chunks.last?.choices.isEmpty == true)
                #expect(chunks.last?.usage == plain.usage)
            } else {
                #expect(usageChunks.isEmpty)
                #expect(chunks.last?.choices.first?.finish_reason == "stop")
            }
        }
    }

    @Test(arguments: [false, true])
    func maxTokensTruncates(stream: Bool) async throws {
        try await SimTest.app().test(.router) { client in
            let prompt = "Write a detailed essay on the history of the printing press and its influence on Europe."
            let full = try SimTest.decode(Completion.self, try await SimTest.chat(client, SimTest.chatBody(prompt: prompt)).body)
            #expect(full.usage.completion_tokens > 5)
            let response = try await SimTest.chat(client, SimTest.chatBody(prompt: prompt, stream: stream, includeUsage: true, maxTokens: 5))
            let content: String
            let finishReason: String?
            let usage: Usage?
            if stream {
                let chunks = try SimTest.events(response.body).dropLast().map { try JSONDecoder().decode(Chunk.self, from: Data($0.utf8)) }
                content = chunks.compactMap { $0.choices.first?.delta.content }.joined()
                finishReason = chunks.compactMap { $0.choices.first?.finish_reason }.first
                usage = chunks.last?.usage
            } else {
                let completion = try SimTest.decode(Completion.self, response.body)
                content = completion.choices[0].message.content
                finishReason = completion.choices[0].finish_reason
                usage = completion.usage
            }
            #expect(finishReason == "length")
            #expect(usage?.completion_tokens == 5)
            #expect(usage?.prompt_tokens == full.usage.prompt_tokens)
            #expect(full.choices[0].message.content.hasPrefix(content))
            #expect(content.split(separator: " ").count == 5)
        }
    }

    @Test func invalidRequestsGetOpenAIErrors() async throws {
        try await SimTest.app().test(.router) { client in
            let bad = try await SimTest.chat(client, ByteBuffer(string: "{\"model\":1}"))
            #expect(bad.status == .badRequest)
            #expect(try SimTest.decode(ErrorBody.self, bad.body).error.type == "invalid_request_error")
            let zero = try await SimTest.chat(client, SimTest.chatBody(prompt: "hi", maxTokens: 0))
            #expect(zero.status == .badRequest)
        }
    }
}
