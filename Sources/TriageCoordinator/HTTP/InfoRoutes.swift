import Foundation
import Hummingbird
import NIOCore
import TriageCore
import TriageStore
import TriageWire

/// `GET /v1/models`, `GET /v1/models/{model}`, `GET /healthz`, `GET /readyz`.
struct InfoRoutes: Sendable {
    let pool: WorkerPool
    let live: LiveConfig
    /// The models endpoints take the same keys as the chat endpoint (as OpenAI's do): with auth on,
    /// the configured models and providers are no one else's business.
    let auth: Authenticator
    /// Where a team's routing policy is read (its `max_tier` bounds what is listed to it).
    let store: Store

    /// The configured tiers and models, plus `auto`, in OpenAI's list shape: those the caller's
    /// team may reach (a routing policy's `max_tier` leaves out the tiers above it).
    func models(_ request: Request) -> Response {
        do throws(TriageError) {
            let caller = try auth.authenticate(request.headers)
            return json(200, .object(["object": .string("list"), "data": .array(listed(for: caller))]))
        } catch {
            return ErrorResponse.make(error)
        }
    }

    /// One model of ``models(_:)`` by its id (OpenAI's `GET /v1/models/{model}`, which clients use to
    /// check a model exists), else `404 model_not_found`. `id` is the rest of the path, percent-decoded,
    /// so an id with a slash (`meta-llama/Llama-3.1-8B`) is found with or without its slash escaped.
    func model(_ id: Substring, _ request: Request) -> Response {
        do throws(TriageError) {
            let caller = try auth.authenticate(request.headers)
            let id = id.removingPercentEncoding ?? String(id)
            guard let found = listed(for: caller).first(where: { $0["id"]?.stringValue == id }) else { throw .modelNotFound(id) }
            return json(200, found)
        } catch {
            return ErrorResponse.make(error)
        }
    }

    /// The highest tier index the caller's team may use, or nil for the top: its policy's
    /// `max_tier`, applied as the workers apply it (a name that is no tier caps at the cheapest).
    private func cap(for caller: Caller, ladder: Ladder) -> Int? {
        guard let team = caller.teamID else { return nil }
        let policy = (try? store.routingPolicy(teamID: team)) ?? TeamRoutingPolicy()
        guard policy.maxTier != nil else { return nil }
        return RoutingControls.resolve(dial: nil, maxTier: nil, teamDial: nil, teamDialMin: nil, teamDialMax: nil,
                                       teamMaxTier: policy.maxTier, ladder: ladder).maxTierIndex
    }

    /// `auto`, each tier by name, each tier's model (unless a tier has that name), then the aliases:
    /// leaving out tiers above the team's cap, their models and the aliases that name them.
    private func listed(for caller: Caller) -> [JSONValue] {
        let snapshot = live.snapshot
        let (config, ladder) = (snapshot.config, snapshot.ladder)
        let top = cap(for: caller, ladder: ladder) ?? config.tiers.count - 1
        let reachable = Array(config.tiers.prefix(top + 1))
        var data: [JSONValue] = [Self.model("auto", description: "route by complexity")]
        for tier in reachable {
            data.append(Self.model(tier.name, description: "tier: \(tier.model) via \(tier.provider)"))
        }
        for tier in reachable where !config.tiers.contains(where: { $0.name == tier.model }) {
            data.append(Self.model(tier.model, description: "model of tier \(tier.name)"))
        }
        for (alias, target) in config.aliases.sorted(by: { $0.key < $1.key }) {
            if case .fixed(let index, _)? = try? ladder.entry(for: target), index > top { continue }
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
