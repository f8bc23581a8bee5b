import Testing
@testable import TriageCore

@Suite struct QualityCheckTests {
    let checker = QualityChecker()

    private func request(_ query: String, responseFormat: JSONValue? = nil) throws -> ChatRequest {
        var body: JSONValue = .object(["model": .string("auto"),
                                       "messages": .array([.object(["role": .string("user"), "content": .string(query)])])])
        if let responseFormat { body["response_format"] = responseFormat }
        return try ChatRequest(body: body)
    }

    private func kinds(_ answer: String, finish: String? = "stop", _ query: String = "What is the capital of France?",
                       format: JSONValue? = nil) throws -> [QualityIssue.Kind] {
        checker.check(answer: answer, finishReason: finish, request: try request(query, responseFormat: format)).map(\.kind)
    }

    @Test func aGoodShortAnswerToAShortQuestionPasses() throws {
        #expect(try kinds("The capital of France is Paris.") == [])
    }

    @Test func emptyAndWhitespaceAnswersFail() throws {
        #expect(try kinds("") == [.empty])
        #expect(try kinds("  \n\t ") == [.empty])
    }

    @Test func aShortAnswerCutByMaxTokensFailsButALongOneDoesNot() throws {
        #expect(try kinds("Paris is the", finish: "length") == [.truncated])
        let long = Array(repeating: "word", count: 20).enumerated().map { "\($1)\($0)" }.joined(separator: " ")
        #expect(try kinds(long + " " + long, finish: "length").isEmpty)
    }

    @Test func refusalsAndHedgesFail() throws {
        #expect(try kinds("I'm sorry, but I can't help with that request.") == [.refusal])
        #expect(try kinds("As an AI language model, I do not have opinions about capitals.") == [.refusal])
        #expect(try kinds("I can’t assist with that.") == [.refusal])  // typographic apostrophe
        #expect(try kinds("Paris. I cannot stress enough how lovely it is.").isEmpty)
    }

    @Test func phrasesAreFoundWhateverTheCaseAndBesideOtherUnicode() throws {
        #expect(try kinds("Désolé — I CAN’T HELP WITH that.") == [.refusal])  // — shares ’'s first two UTF-8 bytes
        #expect(try kinds("Ça va — très bien, merci, c’est Paris.").isEmpty)
        #expect(try kinds("Paris.", "EXPLAIN why Paris is the capital of France") == [.tooShort])
        #expect(QualityChecker.folded("AÉ’—z") == Array("aÉ'—z".utf8))
    }

    @Test func degenerateRepetitionFails() throws {
        #expect(try kinds("Paris " + String(repeating: "is the capital ", count: 8)) == [.repetition])
        #expect(try kinds(String(repeating: "the ", count: 10)) == [.repetition])
        #expect(try kinds("one two three four five six seven eight nine ten").isEmpty)
    }

    /// Repetition is a model stuck in a loop, not formatting or data: a Markdown table's rules and
    /// empty cells, nested closing braces, a row of zeros or `NULL`s in code are good answers.
    @Test func tablesNumbersAndCodeAreNotDegenerateRepetition() throws {
        let table = """
        | Plan | CPU | RAM | Disk | Region | Price |
        | --- | --- | --- | --- | --- | --- |
        | Basic | 1 | 2 GB | 50 GB | EU | $5 |
        | Pro |  |  |  |  | $20 |
        """
        #expect(try kinds(table, "Show the plans as a table").isEmpty)
        #expect(try kinds("The identity row is 1 0 0 0 0 0 0 0, and the next one shifts the 1 right.", "What is the first row?").isEmpty)
        let code = """
        Insert the row with empty columns:
        ```sql
        INSERT INTO t VALUES (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        ```
        and nested objects close as usual:
        ```json
        {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}
        }
        }
        }
        }
        }
        }
        ```
        """
        #expect(try kinds(code, "Write the SQL and the JSON").isEmpty)
        // A loop in prose still fails, beside a table or code.
        #expect(try kinds(table + "\nThe plans are the plans are the plans are the plans are the plans are the plans are good.",
                          "Show the plans as a table") == [.repetition])
    }

    /// A question that asks for a short answer ("in one sentence", "briefly") is not failed for
    /// being short.
    @Test func aShortAnswerToAQuestionThatAsksForOneIsNotTooShort() throws {
        let answer = "It means the server could not find the page."
        #expect(try kinds(answer, "Explain what HTTP 404 means in one sentence.").isEmpty)
        #expect(try kinds(answer, "Briefly explain what HTTP 404 means") .isEmpty)
        #expect(try kinds("Yes, because it is cheaper.", "Explain, yes or no: should we cache this?").isEmpty)
        #expect(try kinds(answer, "Explain what HTTP 404 means") == [.tooShort])
    }

    @Test func anUnclosedCodeBlockFails() throws {
        let q = "Write a function that adds two numbers"
        #expect(try kinds("Here:\n```swift\nfunc add(a: Int, b: Int) -> Int { a + b }\n", q) == [.unclosedCodeBlock])
        #expect(try kinds("Here:\n```swift\nfunc add(a: Int, b: Int) -> Int { a + b }\n```\nDone.", q).isEmpty)
    }

    @Test func jsonAnswersAreCheckedAgainstResponseFormatAndSchema() throws {
        let object: JSONValue = .object(["type": .string("json_object")])
        #expect(try kinds("{\"city\": \"Paris\"}", format: object).isEmpty)
        #expect(try kinds("```json\n{\"city\": \"Paris\"}\n```", format: object).isEmpty)
        #expect(try kinds("The city is Paris", format: object) == [.invalidJSON])
        #expect(try kinds("[1, 2]", format: object) == [.invalidJSON])
        let schema: JSONValue = .object(["type": .string("json_schema"), "json_schema": .object(["name": .string("c"), "schema": .object([
            "type": .string("object"), "required": .array([.string("city"), .string("population")]),
            "properties": .object(["city": .object(["type": .string("string")]), "population": .object(["type": .string("integer")])]),
        ])])])
        #expect(try kinds("{\"city\": \"Paris\", \"population\": 2100000}", format: schema).isEmpty)
        let missing = checker.check(answer: "{\"city\": \"Paris\"}", finishReason: "stop",
                                    request: try request("capital?", responseFormat: schema))
        #expect(missing.map(\.detail) == ["$.population is required"])
        #expect(try kinds("{\"city\": 7, \"population\": 1}", format: schema) == [.invalidJSON])
    }

    @Test func aOneLineAnswerToAQuestionThatAsksForAnExplanationFails() throws {
        let q = "Explain in detail why the sky is blue, and compare it with sunsets"
        #expect(try kinds("Rayleigh scattering.", q) == [.tooShort])
        #expect(try kinds("Sunlight scatters off air molecules, and shorter blue wavelengths scatter far more than red ones, so the sky looks blue; at sunset light crosses more air and the blue is scattered away.", q).isEmpty)
    }

    @Test func anAnswerCutAtTheRequestsOwnMaxTokensIsNotCheckedForBeingWhole() throws {
        func limited(_ query: String, _ maxTokens: Int, format: JSONValue? = nil) throws -> ChatRequest {
            var body = try request(query, responseFormat: format).body
            body["max_tokens"] = .int(Int64(maxTokens))
            return try ChatRequest(body: body)
        }
        func kinds(_ answer: String, _ request: ChatRequest, finish: String = "length", tokens: Int?) -> [QualityIssue.Kind] {
            checker.check(answer: answer, finishReason: finish, request: request, completionTokens: tokens).map(\.kind)
        }
        // A health check or a yes/no classifier asks for one token: every tier would stop there too.
        let probe = try limited("Is Paris in France? Answer yes or no.", 1)
        #expect(kinds("Yes", probe, tokens: 1).isEmpty)
        #expect(kinds("Yes", probe, tokens: nil).isEmpty, "no usage reported: the limit is the likeliest cut")
        let explain = try limited("Explain in detail why the sky is blue", 8)
        #expect(kinds("Rayleigh scattering makes the sky look", explain, tokens: 8).isEmpty, "not too short either")
        #expect(kinds("Here:\n```swift\nfunc add(", try limited("Write a function that adds two numbers", 6), tokens: 6).isEmpty)
        #expect(kinds("{\"city\": \"Pa", try limited("capital?", 5, format: .object(["type": .string("json_object")])), tokens: 5).isEmpty)
        // Cut below the request's limit (a context window, a provider's cap): not the client's doing.
        #expect(kinds("Paris is the", try limited("What is the capital of France?", 500), tokens: 3) == [.truncated])
        // Without a limit of its own the cut is the provider's, as before; a finished answer is checked whole.
        #expect(kinds("Paris is the", try request("What is the capital of France?"), tokens: 3) == [.truncated])
        #expect(kinds("Rayleigh scattering.", explain, finish: "stop", tokens: 3) == [.tooShort])
        // What no limit explains still counts: a refusal, a repetition, an empty answer.
        #expect(kinds("I'm sorry, but I can't help", probe, tokens: 1) == [.refusal])
        #expect(kinds("the the the the the the the the", try limited("hi", 8), tokens: 8) == [.repetition])
        #expect(kinds("", probe, tokens: 1) == [.empty])
    }

    @Test func disabledChecksDoNotRun() throws {
        let lenient = QualityChecker(settings: QualitySettings(enabled: [.empty]))
        #expect(lenient.check(answer: "I'm sorry, but I can't help with that.", finishReason: "stop", request: try request("hi")).isEmpty)
    }
}
