import Hummingbird
import Logging
import NIOCore

/// Builds the simulated provider's Hummingbird application (used by ``SimServer``, and directly by
/// tests with HummingbirdTesting's `.router` or `.live` setups).
///
/// Routes:
/// - `POST /v1/chat/completions`: OpenAI Chat Completions, stream or not.
/// - `POST /v1/messages`: Anthropic's Messages API, stream or not, with the same behaviours.
/// - `GET /v1/models`: the configured models, as an OpenAI list.
/// - `GET /sim/attempts`: chat requests seen per model; `POST /sim/reset` zeroes them.
/// - `GET /sim/behaviours`, `POST /sim/behaviours`: read or replace the behaviours per model.
/// - `GET /healthz`: 200.
///
/// - Parameters:
///   - config: Models, behaviours, replay file and bind address.
///   - logger: Logger of the application.
///   - onListening: Called with the bound port once the server listens.
/// - Throws: ``SimError`` if the replay file cannot be read or parsed.
public func buildSimApplication(
    config: SimConfig,
    logger: Logger,
    onListening: @escaping @Sendable (Int) -> Void = { _ in }
) throws(SimError) -> Application<RouterResponder<SimRequestContext>> {
    let replay = try config.replayFile.map { path throws(SimError) in
        try ReplayStore(path: path, modelMap: config.replayModels)
    } ?? ReplayStore(modelMap: config.replayModels)
    if config.replayFile != nil {
        logger.info("sim replay loaded", metadata: ["sim.replay.records": "\(replay.count)"])
    }
    let router = buildSimRouter(config: config, replay: replay)
    let port = config.port
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "triage-sim"),
        onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
        logger: logger
    )
}

func buildSimRouter(config: SimConfig, replay: ReplayStore) -> Router<SimRequestContext> {
    let state = SimState(behaviours: config.behaviours)
    let chat = ChatHandler(state: state, replay: replay)
    let messages = MessagesHandler(state: state, replay: replay)
    let models = ModelList(data: config.models.map { ModelList.Model(id: $0) })
    let router = Router(context: SimRequestContext.self)
    router.add(middleware: SimRequestIDMiddleware())

    router.post("v1/chat/completions") { request, context in
        try await chat.respond(to: request, context: context)
    }
    router.post("v1/messages") { request, context in
        try await messages.respond(to: request, context: context)
    }
    router.get("v1/models") { _, _ in try SimJSON.response(models) }
    router.get("healthz") { _, _ in "ok" }
    router.get("sim/attempts") { _, _ in try SimJSON.response(await state.attempts) }
    router.post("sim/reset") { _, _ in
        await state.reset()
        return try SimJSON.response(await state.attempts)
    }
    router.get("sim/behaviours") { _, _ in try SimJSON.response(await state.behaviours) }
    router.post("sim/behaviours") { request, context in
        let behaviours: [String: SimBehaviour]
        do {
            behaviours = try await request.decode(as: [String: SimBehaviour].self, context: context)
        } catch {
            return ChatHandler.errorResponse(status: 400, message: "body must be a JSON object of model name to behaviour")
        }
        await state.replaceBehaviours(behaviours)
        context.logger.info("sim behaviours replaced", metadata: ["sim.models": "\(behaviours.keys.sorted())"])
        return try SimJSON.response(behaviours)
    }
    return router
}
