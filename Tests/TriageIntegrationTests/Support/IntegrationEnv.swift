import Foundation
import Synchronization
import TriageCore
import TriageStore

/// One test's world: a temp directory, every process the test started, stores it opened and an
/// HTTP client. ``tearDown()`` stops all of it (latest first) and is meant for `defer`, so it
/// runs even when an expectation or `#require` fails.
final class IntegrationEnv: Sendable {
    let dir: TempDir
    let binary: String
    let http: HTTPTestClient
    private let processes = Mutex<[ChildProcess]>([])
    private let stores = Mutex<[Store]>([])

    init() throws {
        binary = try TriageBinary.path()
        dir = try TempDir()
        http = HTTPTestClient()
    }

    /// Stops every process (SIGTERM, then SIGKILL; latest first), closes stores and the client,
    /// removes the directory. Synchronous, for `defer` (which cannot await): under ``AwaitedTeardown``
    /// (every test in ``Integration``) the work is handed to the test's scope, which awaits it once
    /// the test body has returned; elsewhere it is done at once, blocking the thread while the
    /// processes stop.
    func tearDown() {
        let all = processes.withLock { p in defer { p.removeAll() }; return p }
        guard let pending = AwaitedTeardown.pending else {
            for p in all.reversed() { p.stopBlocking() }
            closeAndRemove()
            return
        }
        pending.add { [self] in
            for p in all.reversed() { await p.stop() }
            closeAndRemove()
        }
    }

    private func closeAndRemove() {
        stores.withLock { s in s.forEach { $0.close() }; s.removeAll() }
        http.shutdown()
        dir.remove()
    }

    /// Starts `triage <arguments>`, logging to `<dir>/<name>.log`; tearDown stops it.
    func spawn(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let p = try ChildProcess.spawn(name: name, executable: binary, arguments: arguments, logPath: dir.file("\(name).log"),
                                       environment: environment)
        processes.withLock { $0.append(p) }
        return p
    }

    /// Runs `triage <arguments>` to completion.
    func run(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(executable: binary, arguments: arguments, logPath: dir.file("run-\(UUID().uuidString.prefix(8)).log"),
                             timeout: timeout)
    }

    /// Opens the store of a data directory (closed by tearDown).
    func store(dataDir: String) throws -> Store {
        let s = try Store(path: Store.defaultPath(dataDir: dataDir))
        stores.withLock { $0.append(s) }
        return s
    }

    /// Waits until `path` holds a port number, failing early if `process` exits.
    func waitForPortFile(_ path: String, of process: ChildProcess, timeout: Duration = .seconds(20)) async throws -> Int {
        let port = await poll(timeout: timeout) { () -> Int? in
            if !process.isRunning { return -1 }
            return (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let port, port > 0 else {
            throw HarnessError("\(process.name) did not write its port to \(path) (running: \(process.isRunning))\n\(process.logTail())")
        }
        return port
    }

    // MARK: simulated provider

    /// Starts a stand-alone `triage sim` on a port of its own choosing.
    func startSim(name: String = "sim", behaviours: String? = nil, models: [String]? = nil,
                  ttftMs: Int? = nil, tpotMs: Int? = nil) async throws -> Sim {
        let portFile = dir.file("\(name).port")
        var args = ["sim", "--port", "0", "--port-file", portFile]
        if let behaviours { args += ["--behaviours", try dir.write("\(name)-behaviours.json", behaviours)] }
        if let models { args += ["--models", models.joined(separator: ",")] }
        if let ttftMs { args += ["--ttft-ms", String(ttftMs)] }
        if let tpotMs { args += ["--tpot-ms", String(tpotMs)] }
        let p = try spawn(name, args)
        let port = try await waitForPortFile(portFile, of: p)
        return Sim(process: p, port: port, http: http)
    }

    // MARK: cluster

    /// Writes a config and starts `triage up`; returns once `/readyz` reports `workers` ready workers.
    func startCluster(_ spec: ClusterSpec = ClusterSpec(), name: String = "up") async throws -> Cluster {
        let dataDir = dir.file("data")
        var spec = spec
        if spec.provider == .managedSim, spec.simPort == nil { spec.simPort = try freeTCPPort() }
        let config = try dir.write("\(name).yaml", spec.yaml(dataDir: dataDir))
        let portFile = dir.file("\(name).port")
        let p = try spawn(name, ["up", "--config", config, "--data-dir", dataDir, "--port", "0", "--port-file", portFile,
                                 "--workers", String(spec.workers)] + spec.extraArguments, environment: spec.environment)
        let port = try await waitForPortFile(portFile, of: p, timeout: .seconds(30))
        let cluster = Cluster(env: self, up: p, port: port, configPath: config, dataDir: dataDir, spec: spec)
        if spec.workers > 0 { try await cluster.waitReady(workers: spec.workers) }
        return cluster
    }
}

/// What the generated config contains.
struct ClusterSpec: Sendable {
    enum Provider: Sendable, Equatable {
        /// `kind: sim`, started by `triage up` on ``simPort``.
        case managedSim
        /// `kind: openai` at this base URL (e.g. a stand-alone `triage sim`).
        case openAI(baseURL: String)
    }
    var workers = 2
    var provider = Provider.managedSim
    var simPort: Int?
    var ttftMs = 0
    var tpotMs = 0
    var maxBodyBytes = 65536
    var maxFrameBytes = 131_072
    /// `limits.max_stream_buffer_kb`; nil keeps the default.
    var maxStreamBufferKB: Int?
    /// `limits.slow_reader_grace_s`; nil keeps the default.
    var slowReaderGraceSeconds: Double?
    var graceSeconds = 5.0
    var extraArguments: [String] = []
    /// A `failover:` mapping in flow style, e.g. `{server_error_retries: 0}`; nil keeps the defaults.
    var failover: String?
    /// Whether `/v1/` needs a team API key.
    var authRequired = false
    /// Extra environment of `triage up` (e.g. `TRIAGE_ADMIN_KEY`).
    var environment: [String: String] = [:]
    /// A `budgets:` mapping in flow style; nil keeps the defaults.
    var budgets: String?
    /// More providers, by name, each a flow-style mapping (e.g. `{kind: anthropic, base_url: "http://127.0.0.1:PORT"}`).
    var extraProviders: [String: String] = [:]
    /// The provider of a tier, by tier name; tiers not named use `sim`.
    var tierProviders: [String: String] = [:]
    /// The `context_window` of a tier, by tier name; tiers not named have none.
    var contextWindows: [String: Int] = [:]
    /// The `quality` mode of a tier (`on`, `buffer`, `off`), by tier name; tiers not named keep the default.
    var tierQuality: [String: String] = [:]
    /// A `privacy:` mapping in flow style; nil keeps the defaults.
    var privacy: String?
    /// `classifier.kind`: `rules`, `learned` or `judge`.
    var classifierKind = "rules"
    /// `classifier.judge` in flow style (e.g. `{when: always}`); nil for none.
    var classifierJudge: String?
    /// The top-level `judge:` mapping in flow style (e.g. `{provider: sim, model: judge-mini, timeout_ms: 300}`).
    var judge: String?
    /// The top-level `shadow:` mapping in flow style (e.g. `{sample_rate: 1}`); nil for none.
    var shadow: String?
    /// The top-level `retrain:` mapping in flow style (scheduled retraining); nil for none.
    var retrain: String?
    /// The `quality_judge` of a tier in flow style (e.g. `{threshold: 6}`), by tier name.
    var qualityJudge: [String: String] = [:]
    /// The top-level `aliases:` mapping in flow style (e.g. `{gpt-4o: auto}`); nil for none.
    var aliases: String?

    func yaml(dataDir: String) -> String {
        let providerLine: String = switch provider {
        case .managedSim: "sim: {kind: sim, port: \(simPort ?? 0), ttft_ms: \(ttftMs), tpot_ms: \(tpotMs)}"
        case .openAI(let url): "sim: {kind: openai, base_url: \"\(url)\"}"
        }
        let extra = extraProviders.sorted { $0.key < $1.key }.map { "\n  \($0.key): \($0.value)" }.joined()
        func tier(_ name: String) -> String {
            "provider: \(tierProviders[name] ?? "sim")" + (contextWindows[name].map { ", context_window: \($0)" } ?? "")
                + (tierQuality[name].map { ", quality: \($0)" } ?? "") + (qualityJudge[name].map { ", quality_judge: \($0)" } ?? "")
        }
        return """
        listen: 127.0.0.1:0
        data_dir: \(dataDir)
        providers:
          \(providerLine)\(extra)
        tiers:
          - {name: simple,  \(tier("simple")), model: gpt-4o-mini,       input_per_mtok: 0.15,  output_per_mtok: 0.60, cached_input_per_mtok: 0.075, timeout_s: 20}
          - {name: medium,  \(tier("medium")), model: claude-sonnet-4-5, input_per_mtok: 3.00,  output_per_mtok: 15.00, cached_input_per_mtok: 0.30, cache_write_per_mtok: 3.75, timeout_s: 20}
          - {name: complex, \(tier("complex")), model: claude-opus-4-1,   input_per_mtok: 15.00, output_per_mtok: 75.00, cached_input_per_mtok: 1.50, cache_write_per_mtok: 18.75, timeout_s: 20}
        classifier: {kind: \(classifierKind), simple_max_words: 20, complex_min_words: 100\(classifierJudge.map { ", judge: \($0)" } ?? "")}
        limits: {max_body_bytes: \(maxBodyBytes), max_frame_bytes: \(maxFrameBytes)\(maxStreamBufferKB.map { ", max_stream_buffer_kb: \($0)" } ?? "")\(slowReaderGraceSeconds.map { ", slow_reader_grace_s: \($0)" } ?? "")}
        workers: {count: \(workers), capacity: 64, heartbeat_s: 0.2, stale_s: 2}
        shutdown_grace_s: \(graceSeconds)
        auth: {required: \(authRequired), cache_s: 0}
        \(failover.map { "failover: \($0)\n" } ?? "")\(budgets.map { "budgets: \($0)\n" } ?? "")\(privacy.map { "privacy: \($0)\n" } ?? "")\(judge.map { "judge: \($0)\n" } ?? "")\(shadow.map { "shadow: \($0)\n" } ?? "")\(retrain.map { "retrain: \($0)\n" } ?? "")\(aliases.map { "aliases: \($0)\n" } ?? "")

        """
    }

    /// The prices of the tiers above, by tier name.
    static let prices: [String: Price] = [
        "simple": Price(inputPerMTok: 0.15, outputPerMTok: 0.60, cachedInputPerMTok: 0.075),
        "medium": Price(inputPerMTok: 3.00, outputPerMTok: 15.00, cachedInputPerMTok: 0.30, cacheWritePerMTok: 3.75),
        "complex": Price(inputPerMTok: 15.00, outputPerMTok: 75.00, cachedInputPerMTok: 1.50, cacheWritePerMTok: 18.75),
    ]
}

/// A running `triage up`.
struct Cluster: Sendable {
    let env: IntegrationEnv
    let up: ChildProcess
    let port: Int
    let configPath: String
    let dataDir: String
    let spec: ClusterSpec

    var base: String { "http://127.0.0.1:\(port)" }
    var chatURL: String { base + "/v1/chat/completions" }
    var http: HTTPTestClient { env.http }

    /// The simulated provider's URL when `triage up` runs it.
    var simBase: String? { spec.provider == .managedSim ? spec.simPort.map { "http://127.0.0.1:\($0)" } : nil }

    func chat(_ text: String, model: String = "auto", timeout: Duration? = nil) async throws -> HTTPResult {
        try await http.post(chatURL, json: chatBody(text, model: model), timeout: timeout)
    }

    /// Waits until `/readyz` says at least `workers` workers are ready.
    func waitReady(workers: Int, timeout: Duration = .seconds(20)) async throws {
        let ok = await eventually(timeout: timeout, interval: .milliseconds(100)) { () -> Bool in
            guard let r = try? await http.get(base + "/readyz"), r.status == 200 else { return false }
            return ((try? r.json())?["workers_ready"]?.intValue ?? 0) >= workers
        }
        guard ok else { throw HarnessError("the cluster did not get \(workers) ready workers\n\(up.logTail())") }
    }

    /// Opens the cluster's store.
    func store() throws -> Store { try env.store(dataDir: dataDir) }

    /// The worker rows of the store.
    func workers() throws -> [WorkerRecord] { try store().workers() }
}

/// A running `triage sim`.
struct Sim: Sendable {
    let process: ChildProcess
    let port: Int
    let http: HTTPTestClient

    var base: String { "http://127.0.0.1:\(port)" }
    var openAIBase: String { base + "/v1" }

    /// `GET /sim/attempts`.
    func attempts() async throws -> [String: Int] {
        let r = try await http.get(base + "/sim/attempts")
        return (try r.json().objectValue ?? [:]).compactMapValues(\.intValue)
    }

    /// `POST /sim/behaviours` with a JSON object text.
    func setBehaviours(_ json: String) async throws {
        let r = try await http.post(base + "/sim/behaviours", body: Array(json.utf8))
        guard (200..<300).contains(r.status) else { throw HarnessError("POST /sim/behaviours: \(r.status) \(r.text)") }
    }

    /// `POST /sim/reset`.
    func reset() async throws {
        _ = try await http.post(base + "/sim/reset", body: [])
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
