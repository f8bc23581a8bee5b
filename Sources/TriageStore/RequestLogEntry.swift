import Foundation

/// One row of the request log: what was asked, where it went, what it cost.
///
/// Other tables join it by ``id`` (the request id) and ``teamID``.
public struct RequestLogEntry: Sendable, Equatable, Codable {
    /// The request id.
    public var id: String
    /// When the request arrived.
    public var createdAt: Date
    /// The team that sent it, when known.
    public var teamID: Int64?
    /// The worker that served it.
    public var workerID: String?
    /// The tier chosen by the router.
    public var tier: String?
    /// The model finally used.
    public var model: String?
    /// The provider finally used.
    public var provider: String?
    /// Why the router chose that tier.
    public var reason: String?
    /// Whether the response was streamed.
    public var stream: Bool
    /// How many upstream attempts were made.
    public var attempts: Int
    /// A JSON array describing each attempt, written by the caller.
    public var attemptLog: String?
    /// The HTTP status returned to the client.
    public var status: Int
    /// The OpenAI error type, when the request failed.
    public var errorType: String?
    /// Total latency in milliseconds.
    public var latencyMs: Double?
    /// Time spent upstream in milliseconds.
    public var upstreamMs: Double?
    /// Prompt tokens.
    public var promptTokens: Int?
    /// Completion tokens.
    public var completionTokens: Int?
    /// Whether the token counts were estimated rather than reported by the provider.
    public var usageEstimated: Bool
    /// Cost in nano-USD (1e-9 USD).
    public var costNano: Int64
    /// Prompt tokens read from the provider's prompt cache (part of `promptTokens`).
    public var cachedTokens: Int
    /// Prompt tokens written to the provider's prompt cache (part of `promptTokens`).
    public var cacheWriteTokens: Int

    /// Creates an entry; every optional field defaults to `nil`.
    /// - Parameters:
    ///   - id: The request id.
    ///   - createdAt: Arrival time.
    ///   - teamID: The team, if known.
    ///   - workerID: The serving worker.
    ///   - tier: The chosen tier.
    ///   - model: The model used.
    ///   - provider: The provider used.
    ///   - reason: Why the tier was chosen.
    ///   - stream: Whether the response streamed.
    ///   - attempts: Number of upstream attempts.
    ///   - attemptLog: JSON array of attempts.
    ///   - status: HTTP status returned.
    ///   - errorType: OpenAI error type on failure.
    ///   - latencyMs: Total latency in ms.
    ///   - upstreamMs: Upstream time in ms.
    ///   - promptTokens: Prompt tokens.
    ///   - completionTokens: Completion tokens.
    ///   - usageEstimated: Whether usage was estimated.
    ///   - costNano: Cost in nano-USD.
    ///   - cachedTokens: Prompt tokens read from the provider's prompt cache.
    ///   - cacheWriteTokens: Prompt tokens written to the provider's prompt cache.
    public init(id: String, createdAt: Date, teamID: Int64? = nil, workerID: String? = nil,
                tier: String? = nil, model: String? = nil, provider: String? = nil, reason: String? = nil,
                stream: Bool = false, attempts: Int = 0, attemptLog: String? = nil, status: Int,
                errorType: String? = nil, latencyMs: Double? = nil, upstreamMs: Double? = nil,
                promptTokens: Int? = nil, completionTokens: Int? = nil,
                usageEstimated: Bool = false, costNano: Int64 = 0, cachedTokens: Int = 0, cacheWriteTokens: Int = 0) {
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.id = id
        self.createdAt = createdAt
        self.teamID = teamID
        self.workerID = workerID
        self.tier = tier
        self.model = model
        self.provider = provider
        self.reason = reason
        self.stream = stream
        self.attempts = attempts
        self.attemptLog = attemptLog
        self.status = status
        self.errorType = errorType
        self.latencyMs = latencyMs
        self.upstreamMs = upstreamMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.usageEstimated = usageEstimated
        self.costNano = costNano
    }
}
