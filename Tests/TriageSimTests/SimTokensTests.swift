import Testing
@testable import TriageSim

@Suite struct SimTokensTests {
    @Test(arguments: [
        "", "word", " Janet starts with 16 eggs.\nShe eats 3.\n#### 18", "trailing space  ", "  lead", "naïve café ✓ 日本語 text",
        "a\r\nb\t c",
    ])
    func tokensReassembleExactly(text: String) {
        let ranges = SimTokens.split(text)
        #expect(ranges.map { SimTokens.text(text, $0) }.joined() == text)
        #expect(ranges.allSatisfy { !$0.isEmpty })
    }

    @Test func wordsWithLeadingSpace() {
        let text = "The capital of France is Paris."
        #expect(SimTokens.split(text).map { SimTokens.text(text, $0) } == ["The", " capital", " of", " France", " is", " Paris."])
    }

    @Test func truncatedContentIsPrefix() {
        let answer = SimAnswer(text: "one two three four", limit: 2, promptTokens: 1, model: "m")
        #expect(answer.content == "one two")
        #expect(answer.finishReason == "length")
        #expect(answer.usage == ChatUsage(promptTokens: 1, completionTokens: 2))
        let full = SimAnswer(text: "one two", limit: 2, promptTokens: 1, model: "m")
        #expect(full.content == "one two")
        #expect(full.finishReason == "stop")
    }

    @Test func promptTokens() {
        let messages = [ChatRequest.Message(role: "user", text: "12345")]
        #expect(SimTokens.promptTokens(messages) == 2 + 4)
        #expect(SimTokens.promptTokens([]) == 0)
    }

    @Test func generatorIsStableAcrossModels() {
        let a = AnswerGenerator.answer(model: "m1", prompt: "Tell me about bridges.")
        #expect(a == AnswerGenerator.answer(model: "m1", prompt: "Tell me about bridges."))
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(AnswerGenerator.answer(model: "m", prompt: "What is 12 * 3?") == "12 * 3 = 36.")
        #expect(AnswerGenerator.answer(model: "m", prompt: "Hi!") == "Hello! How can I help you today?")
    }
}
