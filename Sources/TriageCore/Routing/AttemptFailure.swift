/// Why one upstream attempt failed, in the terms the fallback ladder decides on.
public struct AttemptFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, Equatable {
        /// Could not connect.
        case connect
        /// No (complete) answer in time.
        case timeout
        /// The connection closed or reset before the answer was complete.
        case reset
        /// HTTP 429.
        case rateLimited = "rate_limited"
        /// HTTP 5xx.
        case serverError = "server_error"
        /// HTTP 401/403: the provider is misconfigured.
        case authError = "auth_error"
        /// Another HTTP 4xx: the request itself is at fault.
        case clientError = "client_error"
        /// The answer could not be understood, or a stream ended without finishing.
        case malformed
        /// The provider kind is not supported by this build.
        case unsupported
        /// The client went away.
        case cancelled
        /// HTTP 400 because the request does not fit the model's context window.
        case contextLengthExceeded = "context_length_exceeded"
        /// HTTP 400 because the provider's content policy refused the request.
        case contentFilter = "content_filter"
        /// No response byte within the time-to-first-byte limit.
        case firstByteTimeout = "first_byte_timeout"
        /// A stream sent no content token within the time-to-first-token limit.
        case firstTokenTimeout = "first_token_timeout"
        /// A stream went silent for longer than the idle limit.
        case streamStalled = "stream_stalled"
        /// A stream's connection ended after the response had started, with no finish reason and no `[DONE]`.
        case streamCut = "stream_cut"
        /// The answer failed a quality check (empty, refusal, truncated, invalid JSON, ...).
        case lowQuality = "low_quality"
    }

    public var kind: Kind
    public var message: String
    /// HTTP status, when the provider answered with one.
    public var status: Int?
    /// Seconds from a `Retry-After` header.
    public var retryAfter: Double?
    /// The provider's own error, when it sent one in OpenAI's shape.
    public var providerError: OpenAIErrorBody?
    /// Whether any part of the answer had reached the client before the failure.
    public var deliveredToClient: Bool
    /// Usage the provider reported (and so bills) for the failed attempt, if any
    /// (for example the input tokens of a stream cut after `message_start`).
    public var billedUsage: Usage?

    public init(kind: Kind, message: String, status: Int? = nil, retryAfter: Double? = nil,
                providerError: OpenAIErrorBody? = nil, deliveredToClient: Bool = false, billedUsage: Usage? = nil) {
        self.kind = kind
        self.billedUsage = billedUsage
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.providerError = providerError
        self.deliveredToClient = deliveredToClient
    }

    /// Classifies an HTTP error status (and, for a 400, the provider's error code or message:
    /// context-window and content-policy refusals get kinds of their own).
    public static func http(status: Int, message: String, retryAfter: Double? = nil, providerError: OpenAIErrorBody? = nil) -> AttemptFailure {
        let kind: Kind = switch status {
        case 429: .rateLimited
        case 401, 403: .authError
        case 500...599: .serverError
        case 400 where isContextLength(providerError, message): .contextLengthExceeded
        case 400 where isContentFilter(providerError): .contentFilter
        default: .clientError
        }
        return AttemptFailure(kind: kind, message: message, status: status, retryAfter: retryAfter, providerError: providerError)
    }

    private static func isContextLength(_ e: OpenAIErrorBody?, _ message: String) -> Bool {
        if e?.code == "context_length_exceeded" || e?.code == "string_above_max_length" { return true }
        let text = (e?.message ?? message).lowercased()
        return text.contains("maximum context length") || text.contains("context window")
            || text.contains("prompt is too long") || text.contains("context_length_exceeded")
    }

    private static func isContentFilter(_ e: OpenAIErrorBody?) -> Bool {
        guard let e else { return false }
        return ["content_policy_violation", "content_filter"].contains(e.code ?? "")
            || e.type == "content_policy_violation"
    }

    public var description: String {
        status.map { "\(kind.rawValue) (HTTP \($0)): \(message)" } ?? "\(kind.rawValue): \(message)"
    }
}

/// What the ladder does after a failed attempt.
public enum FallbackAction: Sendable, Equatable {
    /// Try the next tier up.
    case climb
    /// Stop and give the client this error.
    case fail(status: Int, error: OpenAIErrorBody)
}

/// The backbone's fallback rule: connection errors, timeouts, resets, 5xx and 429 climb;
/// a request the provider refused as invalid goes back to the client as the provider said it;
/// nothing climbs once part of the answer reached the client.
public enum FallbackPolicy {
    public static func next(after failure: AttemptFailure) -> FallbackAction {
        if failure.kind == .cancelled {
            return .fail(status: 499, error: OpenAIErrorBody(message: "The client closed the request.", type: "cancelled", code: "cancelled"))
        }
        if failure.deliveredToClient {
            return .fail(status: 502, error: OpenAIErrorBody(message: "The upstream stream failed after the answer had started: \(failure.message)",
                                                             type: "upstream_error", code: "stream_interrupted"))
        }
        switch failure.kind {
        case .connect, .timeout, .reset, .rateLimited, .serverError, .authError, .malformed, .unsupported,
             .firstByteTimeout, .firstTokenTimeout, .streamStalled, .streamCut, .lowQuality:
            return .climb
        case .clientError, .contextLengthExceeded, .contentFilter:
            let status = failure.status ?? 400
            return .fail(status: status, error: failure.providerError
                ?? OpenAIErrorBody(message: "The provider refused the request: \(failure.message)", type: "invalid_request_error", code: "upstream_rejected"))
        case .cancelled:
            return .fail(status: 499, error: OpenAIErrorBody(message: "The client closed the request.", type: "cancelled", code: "cancelled"))
        }
    }
}
