import Testing
import TriageCore

@Suite struct TriageErrorTests {
    @Test(arguments: [
        (TriageError.invalidJSON("x"), 400, "invalid_request_error", "invalid_json"),
        (.missingField("model"), 400, "invalid_request_error", "missing_field"),
        (.invalidField("stream", "expected a boolean"), 400, "invalid_request_error", "invalid_field"),
        (.unauthorized("bad key"), 401, "authentication_error", "invalid_api_key"),
        (.modelNotFound("gpt-9"), 404, "invalid_request_error", "model_not_found"),
        (.notFound("no such route"), 404, "invalid_request_error", "not_found"),
        (.unknownURL(method: "POST", path: "/v1/embeddings"), 404, "invalid_request_error", "unknown_url"),
        (.methodNotAllowed(method: "GET", path: "/v1/chat/completions", allowed: ["POST"]), 405, "invalid_request_error", "method_not_allowed"),
        (.requestTooLarge(limit: 1024), 413, "invalid_request_error", "request_too_large"),
        (.rateLimited(RateLimitExceeded(team: "search", limit: 60, retryAfter: .milliseconds(1_500))), 429, "requests", "rate_limit_exceeded"),
        (.rateLimited(RateLimitExceeded(team: "search", unit: .tokens, limit: 6_000, requested: 900, retryAfter: .seconds(3))), 429, "tokens", "rate_limit_exceeded"),
        (.internalError("oops"), 500, "server_error", "internal_error"),
        (.workerLost("crashed"), 502, "upstream_error", "worker_lost"),
        (.upstreamFailed("all down"), 502, "upstream_error", "upstream_failed"),
        (.noWorkers, 503, "service_unavailable", "no_workers"),
        (.shuttingDown, 503, "service_unavailable", "shutting_down"),
        (.timeout("slow"), 504, "timeout_error", "timeout"),
    ])
    func statusAndOpenAIFields(error: TriageError, status: Int, type: String, code: String) throws {
        #expect(error.status == status)
        #expect(error.body.type == type)
        #expect(error.body.code == code)
        #expect(!error.body.message.isEmpty)

        // The envelope parses back into OpenAI's shape.
        let json = try JSONValue.parse(error.body.envelopeBytes())
        #expect(json.objectValue?.keys.sorted() == ["error"])
        let inner = try #require(json["error"])
        #expect(inner["message"] == .string(error.body.message))
        #expect(inner["type"] == .string(type))
        #expect(inner["code"] == .string(code))
    }

    @Test func messagesCarryTheDetail() {
        #expect(TriageError.missingField("model").body.message == "Missing required field 'model'.")
        #expect(TriageError.invalidField("stream", "expected a boolean").body.message == "Invalid field 'stream': expected a boolean")
        #expect(TriageError.requestTooLarge(limit: 1024).body.message.contains("1024 bytes"))
        #expect(TriageError.modelNotFound("gpt-9").body.message.contains("'gpt-9'"))
        #expect(TriageError.invalidJSON("unexpected end").body.message.contains("unexpected end"))
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "search", limit: 60, retryAfter: .milliseconds(1_500))).body.message
                == "Team 'search' has reached its rate limit of 60 requests per minute. Try again in 1.5s.")
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "search", unit: .tokens, limit: 6_000, requested: 900, retryAfter: .seconds(3))).body.message
                == "Team 'search' has reached its rate limit of 6000 tokens per minute (this request needs about 900). Try again in 3s.")
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "search", unit: .tokens, limit: 6_000, requested: 9_000, retryAfter: nil)).body.message
                .hasPrefix("Request too large for team 'search': it needs about 9000 tokens (its prompt and max_tokens), more than the team's whole rate limit of 6000 tokens per minute."))
    }

    @Test func fieldErrorsNameTheParam() throws {
        #expect(TriageError.missingField("messages").body.param == "messages")
        #expect(TriageError.invalidField("max_tokens", "x").body.param == "max_tokens")
        #expect(TriageError.modelNotFound("m").body.param == "model")
        let json = try JSONValue.parse(TriageError.missingField("messages").body.envelopeBytes())
        #expect(json["error"]?["param"] == .string("messages"))
    }

    @Test func absentCodeAndParamAreLeftOut() throws {
        let json = try JSONValue.parse(OpenAIErrorBody(message: "m/with/slash", type: "t").envelopeBytes())
        #expect(json == .object(["error": .object(["message": .string("m/with/slash"), "type": .string("t")])]))
        #expect(String(decoding: OpenAIErrorBody(message: "a/b", type: "t").envelopeBytes(), as: UTF8.self).contains("a/b"))
    }

    @Test func aKeysOwnBudgetRefusalNamesTheKeyAndItsTeam() {
        let e = BudgetExceeded(team: "research", key: "'notebook' (1a2b3c4d)", limit: Money(nanoUSD: 2_000_000_000), spent: Money(nanoUSD: 1_990_000_000),
                               reserved: .zero, needed: Money(nanoUSD: 20_000_000), period: .daily, resetsAt: nil)
        #expect(e.body.message.hasPrefix("Key 'notebook' (1a2b3c4d) of team 'research' has spent $1.990000000 of its daily budget of $2.000000000"),
                "\(e.body.message)")
        #expect(e.body.code == "budget_exceeded" && TriageError.budgetExceeded(e).shouldRetry == false)
    }

    @Test func onlyABudgetNoRetryCanPassTellsClientsNotToRetry() {
        func refusal(limit: Int64, spent: Int64, reserved: Int64, needed: Int64) -> TriageError {
            .budgetExceeded(BudgetExceeded(team: "t", limit: Money(nanoUSD: limit), spent: Money(nanoUSD: spent), reserved: Money(nanoUSD: reserved),
                                           needed: Money(nanoUSD: needed), period: .monthly, resetsAt: nil))
        }
        #expect(refusal(limit: 100, spent: 95, reserved: 0, needed: 10).shouldRetry == false, "spent alone leaves no room")
        #expect(refusal(limit: 100, spent: 10, reserved: 0, needed: 200).shouldRetry == false, "the request alone exceeds the budget")
        #expect(refusal(limit: 100, spent: 50, reserved: 45, needed: 10).shouldRetry == nil, "in-flight reservations may settle for less")
        #expect(refusal(limit: 100, spent: 90, reserved: 5, needed: 10).shouldRetry == nil, "exactly fits once the reservation goes")
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "t", limit: 1, retryAfter: .seconds(1))).shouldRetry == nil)
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "t", unit: .tokens, limit: 100, requested: 150, retryAfter: .seconds(1))).shouldRetry == nil,
                "tokens that fit the limit once it refills")
        #expect(TriageError.rateLimited(RateLimitExceeded(team: "t", unit: .tokens, limit: 100, requested: 150, retryAfter: nil)).shouldRetry == false,
                "a request larger than the whole limit never fits")
        #expect(TriageError.noWorkers.shouldRetry == nil)
    }
}
