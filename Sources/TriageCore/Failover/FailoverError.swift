/// The client-facing errors the fail-over machine ends a request with, in OpenAI's shape.
/// (Errors the backbone already had, like `upstream_failed` and `timeout`, come from ``TriageError``.)
public enum FailoverError: Sendable, Equatable {
    /// Part of the answer reached the client before the upstream failed.
    case streamInterrupted(String)
    /// The request does not fit the context window of any tier it may climb to.
    case contextLengthExceeded(estimatedTokens: Int, largestWindow: Int?)
    /// Every tier the request may use has an open circuit.
    case circuitOpen(tiers: [String])
    /// The provider refused the request on content-policy grounds and sent no error of its own.
    case contentFiltered(String)
    /// The client went away.
    case cancelled

    public var status: Int {
        switch self {
        case .streamInterrupted: 502
        case .contextLengthExceeded: 400
        case .circuitOpen: 503
        case .contentFiltered: 400
        case .cancelled: 499
        }
    }

    public var body: OpenAIErrorBody {
        switch self {
        case .streamInterrupted(let why):
            OpenAIErrorBody(message: "The upstream stream failed after the answer had started: \(why)",
                            type: "upstream_error", code: "stream_interrupted")
        case .contextLengthExceeded(let tokens, let largest):
            OpenAIErrorBody(message: "The request (about \(tokens) tokens) does not fit the context window of any model it may use"
                                + (largest.map { " (the largest configured window is \($0) tokens)." } ?? "."),
                            type: "invalid_request_error", code: "context_length_exceeded", param: "messages")
        case .circuitOpen(let tiers):
            OpenAIErrorBody(message: "Every model the request may use is cooling down after repeated failures (\(tiers.joined(separator: ", "))); retry shortly.",
                            type: "service_unavailable", code: "circuit_open")
        case .contentFiltered(let why):
            OpenAIErrorBody(message: "The provider refused the request under its content policy: \(why)",
                            type: "invalid_request_error", code: "content_policy_violation")
        case .cancelled:
            OpenAIErrorBody(message: "The client closed the request.", type: "cancelled", code: "cancelled")
        }
    }
}
