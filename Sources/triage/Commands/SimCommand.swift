import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TriageStore
import UnixSignals
import TriageSim

/// `triage sim`: the simulated OpenAI-compatible provider.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run Triage's simulated OpenAI-compatible provider (quick start, tests, benchmarks).",
        discussion: """
        Answers /v1/chat/completions with plausible text and exact usage, streamed or not. Latency and faults
        are set per model (--behaviours FILE, or POST /sim/behaviours at run time); GET /sim/attempts counts
        the requests each model saw. With --replay it answers prompts found in a RouteLLM-format JSONL file
        with the recorded answer of the mapped model. A request that offers tools gets a call to one of them
        (the one tool_choice names, else the first) with arguments from its schema, until the conversation
        holds the tool's result; the tool_args_malformed behaviour makes those arguments invalid JSON. A
        response_format is answered in JSON ({"answer": ...} for json_object, the schema's required
        properties for json_schema) unless the ignore_response_format behaviour is set.
        /v1/messages answers as Anthropic's Messages API, tool_use included.
        Example: triage sim --port 8090 --replay ../shared/data/routellm/gsm8k.jsonl \\
                   --replay-model gpt-4o-mini=mixtral-8x7b-instruct-v0.1 --replay-model gpt-4o=gpt-4-1106-preview
        """)

    @OptionGroup var log: LogOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8090

    @Option(help: ArgumentHelp("Write the bound port to this file once listening.", valueName: "path"))
    var portFile: String?

    @Option(help: ArgumentHelp("Comma-separated model names for /v1/models.", valueName: "names"))
    var models: String?

    @Option(help: ArgumentHelp("Milliseconds before the first token (all models).", valueName: "ms"))
    var ttftMs: Int?

    @Option(help: ArgumentHelp("Milliseconds per token after the first (all models).", valueName: "ms"))
    var tpotMs: Int?

    @Option(help: ArgumentHelp("JSON file of per-model behaviours: {\"model or *\": {\"ttft_ms\":..., \"fail_status\":...}}.", valueName: "path"))
    var behaviours: String?

    @Option(help: ArgumentHelp("RouteLLM-format JSONL of recorded answers to replay.", valueName: "path"))
    var replay: String?

    @Option(help: ArgumentHelp("Map a requested model to a recorded one: requested=recorded (repeatable).", valueName: "a=b"))
    var replayModel: [String] = []

    @Option(help: ArgumentHelp("Exit when this process is no longer the parent (set by `triage up`).", valueName: "pid"))
    var parentPid: Int32?

    func run() async throws {
        let logger = log.makeLogger("triage.sim")
        var config = SimConfig()
        config.host = host
        config.port = port
        if let models { config.models = models.split(separator: ",").map(String.init) }
        if let behaviours {
            let data = try Data(contentsOf: URL(fileURLWithPath: behaviours))
            config.behaviours = try JSONDecoder().decode([String: SimBehaviour].self, from: data)
        }
        if ttftMs != nil || tpotMs != nil {
            var d = config.behaviours["*"] ?? SimBehaviour()
            d.ttftMs = ttftMs ?? d.ttftMs
            d.tpotMs = tpotMs ?? d.tpotMs
            config.behaviours["*"] = d
        }
        config.replayFile = replay.map(absolute)
        for pair in replayModel {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--replay-model expects requested=recorded, got '\(pair)'") }
            config.replayModels[parts[0]] = parts[1]
        }
        let portFile = self.portFile.map(absolute)
        let host = config.host
        let server = SimServer(config: config, logger: logger) { port in
            logger.info("sim listening", metadata: ["url": "http://\(host):\(port)/v1"])
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        if let parent = parentPid {
            // Started by `triage up`: do not outlive it, even when it is killed.
            Thread.detachNewThread {
                while getppid() == parent { usleep(200_000) }
                Foundation.exit(0)
            }
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
