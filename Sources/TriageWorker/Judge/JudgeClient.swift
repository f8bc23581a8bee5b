import Logging
import TriageCore
import TriageUpstream

/// What one judge call came to.
public struct JudgeReply: Sendable, Equatable {
    /// The judge model's answer text.
    public var text: String
    /// Tokens used (estimated when the provider reported none).
    public var usage: Usage
    /// The call's cost at the judge's prices.
    public var cost: Money
    /// Wall time of the call.
    public var latency: Duration
}

/// A judge call's cost before it is made: its worst case, reserved against the caller's team
/// budget, and its prompt, which the provider bills once it has the call (journaled as the call's
/// checkpoint, see ``JudgeBudget``).
public struct JudgeCallCost: Sendable, Equatable {
    /// The prompt (estimated) and the longest answer asked for, at the judge's prices.
    public var worstCase: Money
    /// The prompt's tokens (estimated), no answer.
    public var prompt: Usage
    /// The judge model's prices.
    public var price: Price
    /// The judge model.
    public var model: String
}

/// Why a judge call gave no answer.
public enum JudgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer within `judge.timeout_ms`.
    case timeout(Duration)
    /// The provider failed (HTTP error, reset, malformed answer…).
    case upstream(AttemptFailure)
    /// The answer held no text. `billed` is the call as the provider billed it (nil once passed
    /// to a request that did not pay for the call, see ``unbilled``).
    case emptyAnswer(billed: JudgeReply?)
    /// The answer held no rating the caller could read (the text, clipped); `billed` as for
    /// ``emptyAnswer(billed:)``.
    case unparsable(String, billed: JudgeReply?)
    /// Not called: the team's budget cannot cover the call's worst case.
    case unaffordable

    /// The call, when the provider answered (and billed it) although the answer is of no use:
    /// it is charged like an answer that was of use.
    public var billed: JudgeReply? {
        switch self {
        case .emptyAnswer(let billed), .unparsable(_, let billed): billed
        case .timeout, .upstream, .unaffordable: nil
        }
    }

    /// The same failure without the bill, for a request that shares a call another one paid for.
    public var unbilled: JudgeError {
        switch self {
        case .emptyAnswer: .emptyAnswer(billed: nil)
        case .unparsable(let text, _): .unparsable(text, billed: nil)
        case .timeout, .upstream, .unaffordable: self
        }
    }

    public var description: String {
        switch self {
        case .timeout(let limit): "judge timed out after \(Int(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)) ms"
        case .upstream(let f): "judge call failed: \(f)"
        case .emptyAnswer: "judge answered no text"
        case .unparsable(let text, _): "judge answer holds no rating: '\(text.prefix(80))'"
        case .unaffordable: "judge skipped: \(JudgeBudget.refusal)"
        }
    }
}

/// Calls the configured judge model once, non-stream, through the same providers as the tiers,
/// and gives back its text, usage, cost and latency. The whole call is bounded by
/// `judge.timeout_ms` (the upstream transfer is aborted when it runs out).
public struct JudgeClient: Sendable {
    public let config: JudgeConfig
    private let provider: ProviderConfig
    private let chat: any ChatProvider
    private let apiKey: String?

    /// - Parameters:
    ///   - judge: the `judge` section.
    ///   - triage: the whole config (the judge's provider is looked up in it).
    ///   - http: the shared libcurl client.
    ///   - environment: where `api_key_env` is read.
    public init(judge: JudgeConfig, triage: TriageConfig, http: CurlHTTPClient, environment: [String: String]) {
        self.init(judge: judge, triage: triage, providers: ProviderSet(config: triage, http: http, environment: environment))
    }

    /// A client with a libcurl client of its own (for commands), or nil when no judge is configured.
    public static func standalone(_ triage: TriageConfig, environment: [String: String], logger: Logger) -> JudgeClient? {
        triage.judge.map { JudgeClient(judge: $0, triage: triage, http: CurlHTTPClient(logger: logger), environment: environment) }
    }

    /// Asks the judge to rate a query's complexity with ``ComplexityRubric``.
    /// - Returns: the score in [0, 1] and the reply.
    /// - Throws: ``JudgeError``, `.unparsable` (with the billed reply) when the reply holds no rating.
    public func rateComplexity(_ query: String) async throws(JudgeError) -> (score: Double, reply: JudgeReply) {
        let reply = try await ask(system: ComplexityRubric.system, user: ComplexityRubric.user(query: query), maxTokens: Self.ratingMaxTokens)
        guard let s = ComplexityRubric.score(reply.text) else { throw .unparsable(reply.text, billed: reply) }
        return (s, reply)
    }

    /// The longest answer a complexity rating asks for.
    public static let ratingMaxTokens = 24

    /// What ``rateComplexity(_:)`` of `query` costs before it is made (see ``JudgeCallCost``).
    public func costOfRating(_ query: String) -> JudgeCallCost {
        cost(system: ComplexityRubric.system, user: ComplexityRubric.user(query: query), maxTokens: Self.ratingMaxTokens)
    }

    /// What ``ask(system:user:maxTokens:)`` costs before it is made: at most its prompt and
    /// `maxTokens`, at least its prompt, at the judge's prices.
    public func cost(system: String, user: String, maxTokens: Int) -> JudgeCallCost {
        JudgeCallCost(worstCase: CostEstimate.worstCase(prompt: [system, user], maxTokens: maxTokens, price: config.price),
                      prompt: Usage(promptTokens: CostEstimate.promptTokens([system, user]), completionTokens: 0, estimated: true),
                      price: config.price, model: config.model)
    }

    init(judge: JudgeConfig, triage: TriageConfig, providers: ProviderSet) {
        self.config = judge
        self.provider = triage.providers[judge.provider]!  // validated by ConfigLoader
        self.chat = providers.provider(named: judge.provider)
        self.apiKey = providers.apiKey(for: judge.provider)
    }

    /// Asks the judge.
    /// - Parameters:
    ///   - system: the rubric (system prompt).
    ///   - user: the text to judge.
    ///   - maxTokens: the longest answer wanted.
    /// - Throws: ``JudgeError``: `.timeout` or `.upstream` when there is no answer, `.emptyAnswer`
    ///   (with the billed reply) when the answer holds no text.
    public func ask(system: String, user: String, maxTokens: Int = 32) async throws(JudgeError) -> JudgeReply {
        let limit = Duration.milliseconds(config.timeoutMs)
        let body: JSONValue = .object([
            "model": .string(config.model),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(system)]),
                .object(["role": .string("user"), "content": .string(user)]),
            ]),
            "max_tokens": .int(Int64(maxTokens)),
            "temperature": .int(0),
            "stream": .bool(false),
        ])
        let call = UpstreamCall(body: body, tier: config.tier, provider: provider, apiKey: apiKey, timeout: limit)
        let started = ContinuousClock.now
        let chat = self.chat
        // The transfer has its own total timeout; the race makes the limit hold even if it does not.
        let result: Result<Completion, JudgeError> = await withTaskGroup(of: Result<Completion, JudgeError>?.self) { group in
            group.addTask {
                do throws(AttemptFailure) {
                    return .success(try await chat.complete(call))
                } catch {
                    return .failure(error.kind == .timeout ? .timeout(limit) : .upstream(error))
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit + .milliseconds(50))
                return Task.isCancelled ? nil : .failure(.timeout(limit))
            }
            var first: Result<Completion, JudgeError>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(.upstream(AttemptFailure(kind: .cancelled, message: "the judge call was cancelled")))
        }
        let latency = started.duration(to: .now)
        let completion = try result.get()
        let text = completion.body["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        let usage = completion.usage ?? Usage(promptTokens: TokenEstimate.tokens(in: system) + TokenEstimate.tokens(in: user),
                                              completionTokens: TokenEstimate.tokens(in: text), estimated: true)
        let reply = JudgeReply(text: text, usage: usage, cost: config.price.cost(usage), latency: latency)
        // The provider answered, so it billed the call, text or not.
        guard !text.isEmpty else { throw .emptyAnswer(billed: reply) }
        return reply
    }
}
