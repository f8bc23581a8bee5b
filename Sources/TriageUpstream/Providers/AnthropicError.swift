import TriageCore

/// Maps Anthropic's errors (`{"type":"error","error":{"type":"overloaded_error","message":"..."}}`)
/// to ``AttemptFailure``s and OpenAI-shaped provider errors. Pure.
///
/// | Anthropic                          | status | kind                      |
/// |------------------------------------|--------|---------------------------|
/// | `invalid_request_error`            | 400    | client_error, or context_length_exceeded for "prompt is too long" |
/// | `authentication_error`             | 401    | auth_error                |
/// | `permission_error`                 | 403    | auth_error                |
/// | `rate_limit_error`                 | 429    | rate_limited (with `retry-after`) |
/// | `api_error`                        | 500    | server_error              |
/// | `overloaded_error`                 | 529    | server_error (retried like a 503) |
public enum AnthropicError {
    /// The failure for an HTTP error answer.
    public static func failure(status: Int, headers: [String: String], body: [UInt8]) -> AttemptFailure {
        let error = (try? JSONValue.parse(body))?["error"]
        let type = error?["type"]?.stringValue
        let message = error?["message"]?.stringValue ?? "HTTP \(status)"
        let providerError = error.map { _ in openAIError(type: type, message: message) }
        return .http(status: status, message: message, retryAfter: headers["retry-after"].flatMap(Double.init),
                     providerError: providerError)
    }

    /// The failure for an `error` event inside a stream (the HTTP status was already 200).
    public static func failure(streamError event: JSONValue) -> AttemptFailure {
        let type = event["error"]?["type"]?.stringValue
        let message = event["error"]?["message"]?.stringValue ?? "stream error"
        return .http(status: status(forType: type), message: message, providerError: openAIError(type: type, message: message))
    }

    /// The HTTP status Anthropic uses for an error type.
    public static func status(forType type: String?) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "overloaded_error": 529
        default: 500
        }
    }

    /// An Anthropic error in OpenAI's shape (`type` as OpenAI names it, Anthropic's type as `code`).
    static func openAIError(type: String?, message: String) -> OpenAIErrorBody {
        let lower = message.lowercased()
        if type == "invalid_request_error", lower.contains("prompt is too long") || lower.contains("context window") {
            return OpenAIErrorBody(message: message, type: "invalid_request_error", code: "context_length_exceeded")
        }
        let openAIType = switch type {
        case "invalid_request_error", "not_found_error", "request_too_large": "invalid_request_error"
        case "authentication_error": "authentication_error"
        case "permission_error": "permission_error"
        case "rate_limit_error": "rate_limit_error"
        default: "server_error"
        }
        return OpenAIErrorBody(message: message, type: openAIType, code: type)
    }
}
