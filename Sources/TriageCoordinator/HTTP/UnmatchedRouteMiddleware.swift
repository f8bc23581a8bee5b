import HTTPTypes
import Hummingbird
import TriageCore

/// Answers a request no route matched in OpenAI's error shape instead of Hummingbird's empty 404:
/// `405 method_not_allowed` (with `Allow`) for a path Triage serves asked with another method, else
/// `404 unknown_url` ("Invalid URL (GET /v1/embeddings)", as OpenAI words it), so a client pointed at
/// the wrong base URL or endpoint can tell its user why.
///
/// Added to the router after every route, so it wraps only Hummingbird's not-found responder.
struct UnmatchedRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each fixed path Triage serves and the methods it serves it for.
    let served: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let method = request.method.rawValue, path = request.uri.path
            guard let allowed = served[Self.trimmed(path)], !allowed.isEmpty else {
                return ErrorResponse.make(.unknownURL(method: method, path: path))
            }
            return ErrorResponse.make(.methodNotAllowed(method: method, path: path, allowed: allowed.map(\.rawValue)),
                                      headers: ["allow": allowed.map(\.rawValue).joined(separator: ", ")])
        }
    }

    /// `path` without a trailing slash (the router matches `/v1/models/` as `/v1/models`).
    private static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
