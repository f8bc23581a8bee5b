import Foundation

/// Every error Triage shows a client, with its HTTP status and OpenAI error fields.
///
/// This is the one place where internal failures map to OpenAI's error shape
/// (`{"error":{"message","type","code"}}`).
public enum TriageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message shown to a person.
    public var description: String { body.message }

    case invalidJSON(String)
    case missingField(String)
    case invalidField(String, String)
    case requestTooLarge(limit: Int)
    case modelNotFound(String)
    case unauthorized(String)
    case forbidden(String)
    case conflict(String)
    case budgetExceeded(BudgetExceeded)
    case rateLimited(RateLimitExceeded)
    case concurrencyLimited(ConcurrencyLimitExceeded)
    case notFound(String)
    /// A request for a path Triage does not serve, as OpenAI answers one ("Invalid URL (GET /v1/x)").
    case unknownURL(method: String, path: String)
    /// A path Triage serves, asked with a method it does not serve it for.
    case methodNotAllowed(method: String, path: String, allowed: [String])
    case noWorkers
    case workerLost(String)
    case upstreamFailed(String)
    case timeout(String)
    case shuttingDown
    case internalError(String)

    /// HTTP status for the client.
    public var status: Int {
        switch self {
        case .invalidJSON, .missingField, .invalidField: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .conflict: 409
        case .budgetExceeded, .rateLimited, .concurrencyLimited: 429
        case .modelNotFound, .notFound, .unknownURL: 404
        case .methodNotAllowed: 405
        case .requestTooLarge: 413
        case .workerLost, .upstreamFailed: 502
        case .noWorkers, .shuttingDown: 503
        case .timeout: 504
        case .internalError: 500
        }
    }

    /// What the `x-should-retry` header tells OpenAI's client libraries, which otherwise retry every
    /// 408, 409, 429 and 5xx a few times; nil leaves it to them. False for a budget refusal that no
    /// retry within minutes can pass (``BudgetExceeded/mayFitLater``), and for a request larger
    /// than its team's whole tokens-per-minute limit.
    public var shouldRetry: Bool? {
        switch self {
        case .budgetExceeded(let b) where !b.mayFitLater: false
        case .rateLimited(let r) where r.retryAfter == nil: false
        default: nil
        }
    }

    /// Whole seconds for `retry-after` when the error knows them and no finer header says so
    /// (a rate-limit refusal carries its own from the bucket): 1 for a concurrency refusal, since a
    /// place comes back whenever one of the team's requests ends.
    public var retryAfterSeconds: Int? {
        if case .concurrencyLimited = self { return 1 }
        return nil
    }

    /// The OpenAI-shaped error body.
    public var body: OpenAIErrorBody {
        switch self {
        case .invalidJSON(let why):
            OpenAIErrorBody(message: "Request body is not valid JSON: \(why)", type: "invalid_request_error", code: "invalid_json")
        case .missingField(let f):
            OpenAIErrorBody(message: "Missing required field '\(f)'.", type: "invalid_request_error", code: "missing_field", param: f)
        case .invalidField(let f, let why):
            OpenAIErrorBody(message: "Invalid field '\(f)': \(why)", type: "invalid_request_error", code: "invalid_field", param: f)
        case .requestTooLarge(let limit):
            OpenAIErrorBody(message: "Request body exceeds the limit of \(limit) bytes.", type: "invalid_request_error", code: "request_too_large")
        case .modelNotFound(let m):
            OpenAIErrorBody(message: "The model '\(m)' does not exist. Use 'auto', a tier name or a configured model (GET /v1/models).", type: "invalid_request_error", code: "model_not_found", param: "model")
        case .unauthorized(let why):
            OpenAIErrorBody(message: why, type: "authentication_error", code: "invalid_api_key")
        case .forbidden(let why):
            OpenAIErrorBody(message: why, type: "permission_error", code: "forbidden")
        case .conflict(let why):
            OpenAIErrorBody(message: why, type: "invalid_request_error", code: "conflict")
        case .budgetExceeded(let b):
            b.body
        case .rateLimited(let r):
            r.body
        case .concurrencyLimited(let c):
            c.body
        case .notFound(let what):
            OpenAIErrorBody(message: what, type: "invalid_request_error", code: "not_found")
        case .unknownURL(let method, let path):
            OpenAIErrorBody(message: "Invalid URL (\(method) \(path)). " + (path.hasPrefix("/admin/")
                                ? "The admin API has no such route (README, \"Teams, keys and budgets\")."
                                : "Triage serves POST /v1/chat/completions and GET /v1/models; check the base URL (it ends in /v1)."),
                            type: "invalid_request_error", code: "unknown_url")
        case .methodNotAllowed(let method, let path, let allowed):
            OpenAIErrorBody(message: "\(path) does not take \(method); use \(allowed.joined(separator: " or ")).",
                            type: "invalid_request_error", code: "method_not_allowed")
        case .noWorkers:
            OpenAIErrorBody(message: "No worker is available to serve the request; try again shortly.", type: "service_unavailable", code: "no_workers")
        case .workerLost(let why):
            OpenAIErrorBody(message: "The worker serving this request failed: \(why)", type: "upstream_error", code: "worker_lost")
        case .upstreamFailed(let why):
            OpenAIErrorBody(message: "Every model on the ladder failed: \(why)", type: "upstream_error", code: "upstream_failed")
        case .timeout(let why):
            OpenAIErrorBody(message: "The request timed out: \(why)", type: "timeout_error", code: "timeout")
        case .shuttingDown:
            OpenAIErrorBody(message: "Triage is shutting down.", type: "service_unavailable", code: "shutting_down")
        case .internalError(let why):
            OpenAIErrorBody(message: "Internal error: \(why)", type: "server_error", code: "internal_error")
        }
    }
}

/// The inner object of OpenAI's error JSON.
public struct OpenAIErrorBody: Codable, Sendable, Equatable {
    public var message: String
    public var type: String
    public var code: String?
    public var param: String?

    public init(message: String, type: String, code: String? = nil, param: String? = nil) {
        self.message = message
        self.type = type
        self.code = code
        self.param = param
    }

    /// `{"error": {...}}` as JSON bytes.
    public func envelopeBytes() -> [UInt8] {
        (try? [UInt8](JSONEncoder.compact.encode(OpenAIErrorEnvelope(error: self)))) ?? Array(#"{"error":{"message":"internal","type":"server_error"}}"#.utf8)
    }
}

/// `{"error": {...}}`.
public struct OpenAIErrorEnvelope: Codable, Sendable, Equatable {
    public var error: OpenAIErrorBody
    public init(error: OpenAIErrorBody) { self.error = error }
}
