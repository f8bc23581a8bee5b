import HTTPTypes
import Hummingbird

/// Gives every answer of the provider APIs an id in the header the real provider uses: OpenAI's
/// `x-request-id` on `/v1/chat/completions`, Anthropic's `request-id` on `/v1/messages`, so Triage's
/// record of each attempt's provider request id is tested against the real shapes.
struct SimRequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let id = "req_sim_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        response.headers[HTTPField.Name(request.uri.path.hasSuffix("/messages") ? "request-id" : "x-request-id")!] = id
        return response
    }
}
