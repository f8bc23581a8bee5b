/// How the simulated provider behaves for one model.
///
/// Every field is optional: a behaviour with no fields set answers at once with generated text.
/// Behaviours are keyed by model name in ``SimConfig/behaviours`` and in `POST /sim/behaviours`;
/// the key `"*"` is the default for models that have no entry of their own.
///
/// JSON keys are snake_case:
/// ```json
/// {"ttft_ms": 200, "tpot_ms": 20, "fail_status": 429, "fail_first": 2, "retry_after": 1}
/// ```
///
/// Faults are applied in this order: `hang`, then `reset`, then failures (`fail_status` /
/// `fail_code` / `fail_first`, or the down part of a `down_for_seconds` cycle), then stream
/// faults (`cut_after_tokens`, `malformed_after_tokens`, `stall_after_tokens`, `omit_done`), which apply to a
/// tool call's arguments as to text (see ``SimToolCall``; `tool_args_malformed` breaks them), and to
/// a `response_format` request's JSON (see ``SimJSONAnswer``; `ignore_response_format` answers it in prose). New fault kinds are new optional fields plus
/// one case in ``SimAction``.
///
/// A request whose system prompt carries `[triage-judge]` (Triage's judge rubrics) is answered as a
/// judge, `{"rating": N}` derived from the query (see `SimJudge`); the behaviour's faults and a fixed
/// `answer` still apply, so a judge can be made to hang, fail or answer junk.
public struct SimBehaviour: Codable, Sendable, Equatable {
    /// Delay in milliseconds before the first token (stream) or before the whole answer (non-stream).
    public var ttftMs: Int?
    /// Delays before the first token taken in turn by the model's successive requests (since
    /// behaviours were last set or reset), cycling; replaces `ttftMs`. `[0, 1500]` makes every
    /// second call slow: calls made side by side (an Anthropic tier's `n` > 1) finish apart.
    public var ttftCycleMs: [Int]?
    /// Delay in milliseconds between two streamed tokens (in a non-stream answer, added per token).
    public var tpotMs: Int?
    /// Fail with this HTTP status and an OpenAI-style error body.
    public var failStatus: Int?
    /// Only the first N requests for the model (since behaviours were last set or reset) fail;
    /// `nil` means every request fails while `failStatus` is set.
    public var failFirst: Int?
    /// Seconds to announce in a `Retry-After` header on failures.
    public var retryAfter: Int?
    /// A fixed answer text that replaces replayed and generated text.
    public var answer: String?
    /// The fixed `answer` this many times over: a long answer without a long behaviours body.
    public var answerRepeat: Int?
    /// Streams only: drop the connection after this many content tokens (no finish chunk, no `[DONE]`).
    /// Non-stream answers are cut in the middle of the body instead.
    public var cutAfterTokens: Int?
    /// Streams only: after this many content tokens, send an event whose data is not valid JSON,
    /// then carry on normally.
    public var malformedAfterTokens: Int?
    /// Streams only: after this many content tokens, pause for `stallMs` before going on.
    public var stallAfterTokens: Int?
    /// Length in milliseconds of the pause set by `stallAfterTokens`.
    public var stallMs: Int?
    /// Never answer: hold the request until the client goes away or the server shuts down.
    public var hang: Bool?
    /// Flapping: the model is down (fails with `failStatus`, or 503) for this many seconds from the
    /// moment behaviours were set, then up for `upForSeconds`, and so on. Without `upForSeconds`
    /// it stays up after the first down period.
    public var downForSeconds: Double?
    /// Length of the up part of a `downForSeconds` cycle.
    public var upForSeconds: Double?
    /// Reset the connection (TCP RST) before sending any response byte; with `failFirst`, only
    /// for the first N requests.
    public var reset: Bool?
    /// Streams only: end the stream after the finish reason (and usage) without `[DONE]`
    /// (Anthropic: without `message_stop`).
    public var omitDone: Bool?
    /// Fail with an HTTP 400 (or `failStatus`) whose error carries this OpenAI code:
    /// `context_length_exceeded` or `content_policy_violation` (Anthropic: the matching
    /// `invalid_request_error` messages). With `failFirst`, only the first N requests.
    public var failCode: String?
    /// A tool call's arguments lose their closing brace (not valid JSON), as a weak model's sometimes do.
    public var toolArgsMalformed: Bool?
    /// Answer a `response_format` request in prose, as a weak model sometimes does, instead of the
    /// JSON the format asks for (see ``SimJSONAnswer``).
    public var ignoreResponseFormat: Bool?
    /// Prompt tokens reported as read from the prompt cache (at most the prompt's): OpenAI's
    /// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`.
    public var cachedTokens: Int?
    /// Prompt tokens reported as written to the prompt cache (Anthropic's
    /// `cache_creation_input_tokens`; OpenAI reports none).
    public var cacheWriteTokens: Int?

    /// This behaviour for the `attempt`-th request (1-based) since behaviours were set: `ttftCycleMs`'s
    /// turn becomes `ttftMs`.
    func forAttempt(_ attempt: Int) -> SimBehaviour {
        guard let cycle = self.ttftCycleMs, !cycle.isEmpty else { return self }
        var resolved = self
        resolved.ttftMs = cycle[(max(attempt, 1) - 1) % cycle.count]
        return resolved
    }

    /// The fixed answer, repeated `answerRepeat` times; nil when none is set.
    var fixedAnswer: String? {
        answer.map { a in answerRepeat.map { String(repeating: a, count: max($0, 1)) } ?? a }
    }

    /// Creates a behaviour; every parameter defaults to "not set".
    /// - Parameters:
    ///   - ttftMs: Delay before the first token, in milliseconds.
    ///   - tpotMs: Delay per token, in milliseconds.
    ///   - failStatus: HTTP status to fail with.
    ///   - failFirst: Fail only the first N requests.
    ///   - retryAfter: Seconds for the `Retry-After` header on failures.
    ///   - answer: Fixed answer text.
    ///   - cutAfterTokens: Drop the connection after N tokens.
    ///   - malformedAfterTokens: Send a malformed event after N tokens.
    ///   - stallAfterTokens: Pause after N tokens.
    ///   - stallMs: Length of that pause.
    ///   - hang: Never answer.
    ///   - downForSeconds: Down part of a flapping cycle.
    ///   - upForSeconds: Up part of a flapping cycle.
    ///   - reset: Reset the connection before the response.
    ///   - omitDone: End streams without `[DONE]`.
    ///   - failCode: Fail with a 400 carrying this OpenAI error code.
    ///   - answerRepeat: Repeat the fixed answer this many times.
    ///   - toolArgsMalformed: Tool calls' arguments are not valid JSON.
    ///   - ignoreResponseFormat: Answer in prose whatever `response_format` asks.
    ///   - ttftCycleMs: Delays before the first token taken in turn by successive requests.
    ///   - cachedTokens: Prompt tokens reported as read from the prompt cache.
    ///   - cacheWriteTokens: Prompt tokens reported as written to the prompt cache.
    public init(
        ttftMs: Int? = nil,
        tpotMs: Int? = nil,
        failStatus: Int? = nil,
        failFirst: Int? = nil,
        retryAfter: Int? = nil,
        answer: String? = nil,
        cutAfterTokens: Int? = nil,
        malformedAfterTokens: Int? = nil,
        stallAfterTokens: Int? = nil,
        stallMs: Int? = nil,
        hang: Bool? = nil,
        downForSeconds: Double? = nil,
        upForSeconds: Double? = nil,
        reset: Bool? = nil,
        omitDone: Bool? = nil,
        failCode: String? = nil,
        answerRepeat: Int? = nil,
        toolArgsMalformed: Bool? = nil,
        ignoreResponseFormat: Bool? = nil,
        ttftCycleMs: [Int]? = nil,
        cachedTokens: Int? = nil,
        cacheWriteTokens: Int? = nil
    ) {
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.ttftCycleMs = ttftCycleMs
        self.answerRepeat = answerRepeat
        self.toolArgsMalformed = toolArgsMalformed
        self.ignoreResponseFormat = ignoreResponseFormat
        self.reset = reset
        self.omitDone = omitDone
        self.failCode = failCode
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.failStatus = failStatus
        self.failFirst = failFirst
        self.retryAfter = retryAfter
        self.answer = answer
        self.cutAfterTokens = cutAfterTokens
        self.malformedAfterTokens = malformedAfterTokens
        self.stallAfterTokens = stallAfterTokens
        self.stallMs = stallMs
        self.hang = hang
        self.downForSeconds = downForSeconds
        self.upForSeconds = upForSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case ttftMs = "ttft_ms"
        case ttftCycleMs = "ttft_cycle_ms"
        case tpotMs = "tpot_ms"
        case failStatus = "fail_status"
        case failFirst = "fail_first"
        case retryAfter = "retry_after"
        case answer
        case answerRepeat = "answer_repeat"
        case cutAfterTokens = "cut_after_tokens"
        case malformedAfterTokens = "malformed_after_tokens"
        case stallAfterTokens = "stall_after_tokens"
        case stallMs = "stall_ms"
        case hang
        case downForSeconds = "down_for_seconds"
        case upForSeconds = "up_for_seconds"
        case reset
        case omitDone = "omit_done"
        case failCode = "fail_code"
        case toolArgsMalformed = "tool_args_malformed"
        case ignoreResponseFormat = "ignore_response_format"
        case cachedTokens = "cached_tokens"
        case cacheWriteTokens = "cache_write_tokens"
    }
}
