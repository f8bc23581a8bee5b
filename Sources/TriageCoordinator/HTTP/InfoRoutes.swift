import Foundation
import Hummingbird
import NIOCore
import TriageCore

/// `GET /v1/models`, `GET /v1/models/{model}`, `GET /healthz`, `GET /readyz`.
struct InfoRoutes: Sendable {
    let pool: WorkerPool
    let live: LiveConfig
    /// The models endpoints take the same keys as the chat endpoint (as OpenAI's do): with auth on,
    /// the configured models and providers are no one else's business.
    let auth: Authenticator

    /// The configured tiers and models, plus `auto`, in OpenAI's list shape.
    func models(_ request: Request) -> Response {
        if let refused = refusal(request) { return refused }
        return json(200, .object(["object": .string("list"), "data": .array(listed())]))
    }

    /// One model of ``models()`` by its id (OpenAI's `GET /v1/models/{model}`, which clients use to
    /// check a model exists), else `404 model_not_found`. `id` is the rest of the path, percent-decoded,
    /// so an id with a slash (`meta-llama/Llama-3.1-8B`) is found with or without its slash escaped.
    func model(_ id: Substring, _ request: Request) -> Response {
        if let refused = refusal(request) { return refused }
        let id = id.removingPercentEncoding ?? String(id)
        guard let found = listed().first(where: { $0["id"]?.stringValue == id }) else {
            return ErrorResponse.make(.modelNotFound(id))
        }
        return json(200, found)
    }

    /// The error answer for a caller without a valid key (when auth is on), else nil.
    private func refusal(_ request: Request) -> Response? {
        do throws(TriageError) {
            _ = try auth.authenticate(request.headers)
            return nil
        } catch {
            return ErrorResponse.make(error)
        }
    }

    /// `auto`, each tier by name, each tier's model (unless a tier has that name), then the aliases.
    private func listed() -> [JSONValue] {
        let config = live.config
        var data: [JSONValue] = [Self.model("auto", description: "route by complexity")]
        for tier in config.tiers {
            data.append(Self.model(tier.name, description: "tier: \(tier.model) via \(tier.provider)"))
        }
        for tier in config.tiers where !config.tiers.contains(where: { $0.name == tier.model }) {
            data.append(Self.model(tier.model, description: "model of tier \(tier.name)"))
        }
        for (alias, target) in config.aliases.sorted(by: { $0.key < $1.key }) {
            data.append(Self.model(alias, description: "alias of \(target)"))
        }
        return data
    }

    private static func model(_ id: String, description: String) -> JSONValue {
        .object(["id": .string(id), "object": .string("model"), "created": .int(0),
                 "owned_by": .string("triage"), "description": .string(description)])
    }

    func health() -> Response {
        json(200, .object(["status": .string("ok")]))
    }

    /// Ready when at least one worker is connected and taking requests.
    func ready() -> Response {
        let links = pool.links
        let ready = links.filter { !$0.isDraining }.count
        let workers = JSONValue.array(links.map {
            .object(["id": .string($0.workerID), "in_flight": .int(Int64($0.inFlight)), "draining": .bool($0.isDraining)])
        })
        return json(ready > 0 ? 200 : 503, .object(["status": .string(ready > 0 ? "ready" : "no workers"),
                                                    "workers_ready": .int(Int64(ready)), "workers": workers]))
    }

    private func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
