/// Configuration of the simulated OpenAI-compatible provider.
public struct SimConfig: Sendable {
    /// Address to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free port (``SimServer`` reports it through `onListening`).
    public var port: Int = 8090
    /// Model names listed by `GET /v1/models`. Chat requests for other names are answered too.
    public var models: [String]
    /// Behaviour per model name; `"*"` is the default for unlisted models.
    public var behaviours: [String: SimBehaviour]
    /// Path of a JSONL file of recorded answers (the `routellm/*.jsonl` format), or `nil`.
    public var replayFile: String?
    /// Maps a requested model name to the recorded model name whose answers are replayed,
    /// e.g. `"gpt-4o-mini": "mixtral-8x7b-instruct-v0.1"`. A requested name that is itself
    /// a recorded model needs no entry.
    public var replayModels: [String: String]

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: Address to bind.
    ///   - port: Port to bind, 0 for any free port.
    ///   - models: Model names listed by `GET /v1/models`.
    ///   - behaviours: Behaviour per model, `"*"` for the default.
    ///   - replayFile: JSONL file of recorded answers.
    ///   - replayModels: Requested model name → recorded model name.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8090,
        models: [String] = ["sim-small", "sim-large"],
        behaviours: [String: SimBehaviour] = [:],
        replayFile: String? = nil,
        replayModels: [String: String] = [:]
    ) {
        self.host = host
        self.port = port
        self.models = models
        self.behaviours = behaviours
        self.replayFile = replayFile
        self.replayModels = replayModels
    }
}
