import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Issue 10's security checks against the real binaries: keys stored only hashed, the admin
    /// surfaces closed to everyone but the admin key, secrets kept out of logs, error bodies,
    /// metrics and the store, query text stored only when the privacy setting allows it.
    /// (Message count, `max_tokens` and socket modes: `LimitsAndPermissionsTests`; body size:
    /// `HTTPErrorTests`; SQL binding: `SQLBindingTests` (TriageStoreTests); constant-time
    /// comparison: `ConstantTimeEqualsTests` (TriageCoreTests).)
    @Suite struct SecurityTests {
        static let question = "What is the capital of France?"
        static let refusal = #"{"gpt-4o-mini": {"answer": "I'm sorry, but I can't help with that."}}"#

        @Test func apiKeysAndTheAdminKeyAreStoredOnlyAsHashes() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "adm-" + randomHex(24)
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true, environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            let admin = ["Authorization": "Bearer \(adminKey)"]
            #expect(try await cluster.http.post(cluster.base + "/admin/teams", json: .object(["name": .string("sec")]), headers: admin).status == 201)
            let made = try await cluster.http.post(cluster.base + "/admin/keys", json: .object(["team": .string("sec")]), headers: admin)
            let key = try #require((try made.json())["key"]?.stringValue)
            let cli = try await env.run(["key", "create", "--team", "sec", "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output
            let cliKey = try #require(cli.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })
            for k in [key, cliKey] {
                let served = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: ["Authorization": "Bearer \(k)"])
                #expect(served.status == 200, "\(served.text)")
            }
            #expect(try await cluster.http.get(cluster.base + "/admin/teams", headers: admin).status == 200)
            // The models endpoints take the same keys (the configured models are the teams' business only).
            for path in ["/v1/models", "/v1/models/auto"] {
                let anonymous = try await cluster.http.get(cluster.base + path)
                #expect(anonymous.status == 401 && anonymous.errorCode == "invalid_api_key", "\(path): \(anonymous.text)")
                #expect(try await cluster.http.get(cluster.base + path, headers: ["Authorization": "Bearer \(key)"]).status == 200, "\(path)")
            }

            // The store holds each key's SHA-256 (found by its prefix), never the key or its secret part.
            let store = try cluster.store()
            for k in [key, cliKey] {
                let parsed = try #require(APIKey(parsing: k))
                let record = try #require(try store.key(prefix: parsed.prefix))
                #expect(record.hash == SHA256.hash(Array(k.utf8)))
            }
            try await Task.sleep(for: .milliseconds(300))  // let the workers' request-log writes land
            let bytes = try storeBytes(cluster.dataDir)
            var secrets = [key, cliKey, adminKey, String(key.split(separator: "_")[2]), String(cliKey.split(separator: "_")[2])]
            if let demo = try? String(contentsOfFile: cluster.dataDir + "/demo.key", encoding: .utf8) {
                secrets.append(demo.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            for secret in secrets {
                #expect(!bytes.contains(secret), "the store's files hold a plaintext key")
            }
        }

        @Test func adminAPIAndDashboardRefuseAnythingButTheAdminKey() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "adm-" + randomHex(24)
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true, environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            _ = try await env.run(["team", "create", "sec", "--config", cluster.configPath, "--data-dir", cluster.dataDir])
            let out = try await env.run(["key", "create", "--team", "sec", "--config", cluster.configPath, "--data-dir", cluster.dataDir]).output
            let teamKey = try #require(out.split(separator: "\n").map(String.init).first { $0.hasPrefix("tri_") })
            let basic = { (password: String) in "Basic " + Data("admin:\(password)".utf8).base64EncodedString() }
            let refused: [(String, [String: String])] = [
                ("no key", [:]),
                ("a team key", ["Authorization": "Bearer \(teamKey)"]),
                ("a team key as x-api-key", ["x-api-key": teamKey]),
                ("a team key as Basic password", ["Authorization": basic(teamKey)]),
                ("a wrong admin key", ["Authorization": "Bearer \(adminKey)x"]),
                ("the admin key's prefix", ["Authorization": "Bearer \(adminKey.dropLast())"]),
            ]
            for path in ["/admin/teams", "/admin/keys", "/admin/spend", "/admin/teams/sec", "/dashboard"] {
                for (what, headers) in refused {
                    let r = try await cluster.http.get(cluster.base + path, headers: headers)
                    #expect(r.status == 401, "GET \(path) with \(what): \(r.status)")
                    #expect(r.errorCode != nil, "GET \(path) with \(what): an OpenAI-shaped error, got \(r.text.prefix(200))")
                    #expect(!r.text.contains("sec") || path == "/admin/teams/sec", "GET \(path) with \(what) leaks data")
                }
            }
            let write = try await cluster.http.post(cluster.base + "/admin/keys", json: .object(["team": .string("sec")]),
                                                    headers: ["Authorization": "Bearer \(teamKey)"])
            #expect(write.status == 401, "a team key cannot mint keys")
            let delete = try await cluster.http.request("DELETE", cluster.base + "/admin/teams/sec", headers: ["x-api-key": teamKey])
            #expect(delete.status == 401, "a team key cannot delete a team")
            let inQuery = try await cluster.http.get(cluster.base + "/dashboard?key=\(adminKey)")
            #expect(inQuery.status == 401, "the admin key is not accepted in the URL")

            // The admin key opens both, as a bearer key and (the dashboard) as a Basic password.
            #expect(try await cluster.http.get(cluster.base + "/admin/teams", headers: ["Authorization": "Bearer \(adminKey)"]).status == 200)
            #expect(try await cluster.http.get(cluster.base + "/dashboard", headers: ["Authorization": "Bearer \(adminKey)"]).status == 200)
            #expect(try await cluster.http.get(cluster.base + "/dashboard", headers: ["Authorization": basic(adminKey)]).status == 200)
            // Without an admin key configured the admin API is off for everyone.
            env.tearDown()
            let env2 = try IntegrationEnv()
            defer { env2.tearDown() }
            let off = try await env2.startCluster(ClusterSpec(workers: 1, authRequired: true))
            for path in ["/admin/teams", "/dashboard"] {
                let r = try await off.http.get(off.base + path, headers: ["Authorization": "Bearer \(adminKey)"])
                #expect(r.status == 401 || r.status == 403, "GET \(path) with no admin key configured: \(r.status)")
            }
        }

        /// Headers over Hummingbird's limit (80 KiB in all, 80 KiB for one field, 1000 fields) get
        /// an OpenAI-shaped `431` and a closed connection before any routing; a body over `limits.max_body_bytes` sent
        /// without a length (chunked) gets the OpenAI-shaped 413. The server serves on afterwards.
        @Test func oversizedHeadersAndChunkedBodiesAreRefusedCleanly() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, maxBodyBytes: 65536))
            let body = #"{"model":"auto","messages":[{"role":"user","content":"What is the capital of France?"}]}"#
            let fits = try RawHTTP.exchange(port: cluster.port, RawHTTP.post("/v1/chat/completions", body: body,
                                                                             headers: ["X-Pad: " + String(repeating: "a", count: 60_000)]))
            #expect(fits.status == 200, "60 KB of headers are within the limit: \(fits.text.prefix(200))")
            let oversized: [(String, [String])] = [
                ("one 100 KB header", ["X-Pad: " + String(repeating: "a", count: 100_000)]),
                ("2 MB of headers", (0..<200).map { "X-Pad-\($0): " + String(repeating: "b", count: 10_000) }),
                ("1500 header fields", (0..<1500).map { "X-F\($0): 1" }),
            ]
            for (what, headers) in oversized {
                let start = ContinuousClock.now
                let r = try RawHTTP.exchange(port: cluster.port, RawHTTP.post("/v1/chat/completions", body: body, headers: headers))
                #expect(r.status == 431, "\(what): \(r.text.prefix(200))")
                let refused = try? JSONValue.parse(Array(r.body.utf8))
                #expect(refused?["error"]?["code"]?.stringValue == "request_header_fields_too_large", "\(what): \(r.body.prefix(200))")
                #expect(refused?["error"]?["type"]?.stringValue == "invalid_request_error")
                #expect(refused?["error"]?["message"]?.stringValue?.contains("80 KiB") == true)
                #expect(r.closed, "\(what): the connection is closed")
                #expect(!r.text.contains("chat.completion"), "\(what) was not served")
                #expect(ContinuousClock.now - start < .seconds(4), "\(what) is refused at once")
            }
            // A head the parser cannot read at all: an OpenAI-shaped 400.
            let malformed = try RawHTTP.exchange(port: cluster.port, Array("POST /v1/chat/completions HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n".utf8))
            #expect(malformed.status == 400, "\(malformed.text.prefix(200))")
            let why = try? JSONValue.parse(Array(malformed.body.utf8))
            #expect(why?["error"]?["code"]?.stringValue == "bad_request" && why?["error"]?["type"]?.stringValue == "invalid_request_error",
                    "\(malformed.body.prefix(200))")
            #expect(malformed.closed)
            // A chunked body has no Content-Length to refuse early: it is counted as it arrives.
            let big = String(repeating: "x", count: 70_000)
            let chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + String(big.utf8.count, radix: 16) + "\r\n" + big + "\r\n0\r\n\r\n"
            let tooLarge = try RawHTTP.exchange(port: cluster.port, Array(chunked.utf8))
            #expect(tooLarge.status == 413, "\(tooLarge.text.prefix(300))")
            let error = try? JSONValue.parse(Array(tooLarge.body.utf8))
            #expect(error?["error"]?["code"]?.stringValue == "request_too_large", "an OpenAI-shaped error: \(tooLarge.body.prefix(200))")
            #expect(error?["error"]?["type"]?.stringValue != nil && error?["error"]?["message"]?.stringValue != nil)

            let after = try await cluster.chat(Self.question)
            #expect(after.status == 200, "the coordinator serves on")
        }

        @Test func providerAndClientKeysNeverAppearInLogsErrorsMetricsOrTheStore() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // Not `sk-…`-shaped, so log redaction cannot hide a leak: the key must never get that far.
            let providerKey = "prov-" + randomHex(20)
            let adminKey = "adm-" + randomHex(24)
            let sim = try await env.startSim()
            var spec = ClusterSpec(workers: 2, provider: .openAI(baseURL: sim.openAIBase), authRequired: true,
                                   environment: ["TRIAGE_ADMIN_KEY": adminKey, "TRIAGE_TEST_PROVIDER_KEY": providerKey,
                                                 "TRIAGE_LOG_LEVEL": "trace"])
            spec.failover = "{server_error_retries: 0, rate_limit_retries: 0, circuit: {failure_threshold: 100, cool_down_s: 1}}"
            spec.extraProviders = ["keyed": "{kind: openai, base_url: \"\(sim.openAIBase)\", api_key_env: TRIAGE_TEST_PROVIDER_KEY}"]
            spec.tierProviders = ["simple": "keyed", "medium": "keyed", "complex": "keyed"]
            let cluster = try await env.startCluster(spec)
            let made = try await cluster.http.post(cluster.base + "/admin/keys", json: .object(["team": .string("demo")]),
                                                   headers: ["Authorization": "Bearer \(adminKey)"])
            let clientKey = try #require((try made.json())["key"]?.stringValue)
            let auth = ["Authorization": "Bearer \(clientKey)"]
            var seen: [String] = []
            func record(_ r: HTTPResult) { seen.append(r.text + r.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n")) }

            // Good requests, plain and streamed.
            let ok = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: auth)
            #expect(ok.status == 200)
            record(ok)
            let stream = try await cluster.http.stream(cluster.chatURL, json: chatBody(Self.question, stream: true), headers: auth)
            #expect(stream.status == 200)
            seen.append(stream.raw)
            // Failing ones: the provider refuses the key, fails, rate-limits; the client sends bad input or a bad key.
            for behaviour in [#"{"*": {"fail_status": 401}}"#, #"{"*": {"fail_status": 500}}"#, #"{"*": {"fail_status": 429}}"#] {
                try await sim.setBehaviours(behaviour)
                let failed = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: auth)
                #expect(failed.status >= 400, "\(behaviour): \(failed.status)")
                record(failed)
                let failedStream = try await cluster.http.stream(cluster.chatURL, json: chatBody(Self.question, stream: true), headers: auth)
                seen.append(failedStream.raw)
            }
            try await sim.reset()
            let prefix = String(clientKey.split(separator: "_")[1])
            let badKeys = ["tri_\(prefix)_" + randomHex(24), clientKey + "0", providerKey]
            for bad in badKeys {
                let r = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: ["Authorization": "Bearer \(bad)"])
                #expect(r.status == 401)
                record(r)
            }
            record(try await cluster.http.post(cluster.chatURL, body: Array(#"{"model": "auto", "messages": ["#.utf8), headers: auth))
            record(try await cluster.http.get(cluster.base + "/admin/teams", headers: auth))
            let metrics = try await cluster.http.get(cluster.base + "/metrics")
            #expect(metrics.status == 200)
            record(metrics)
            try await Task.sleep(for: .milliseconds(500))  // let the request-log writes and log lines land

            let logs = try FileManager.default.contentsOfDirectory(atPath: env.dir.path).filter { $0.hasSuffix(".log") }
            #expect(logs.count >= 2, "logs of the cluster and the sim: \(logs)")
            let logText = try logs.map { try String(contentsOfFile: env.dir.file($0), encoding: .utf8) }.joined(separator: "\n")
            #expect(logText.contains("request"), "the logs were written")
            let store = try storeBytes(cluster.dataDir)
            let secrets = ["provider key": providerKey, "client key": clientKey, "client key's secret": String(clientKey.split(separator: "_")[2]),
                           "admin key": adminKey]
            for (what, secret) in secrets {
                #expect(!logText.contains(secret), "the \(what) is in a log")
                #expect(!seen.contains { $0.contains(secret) }, "the \(what) is in a response: \(seen.first { $0.contains(secret) }?.prefix(300) ?? "")")
                #expect(!store.contains(secret), "the \(what) is in the store's files")
            }
        }

        @Test func queryTextIsStoredOnlyWhenThePrivacySettingAllowsIt() async throws {
            for storeText in [false, true] {
                let env = try IntegrationEnv()
                defer { env.tearDown() }
                let marker = "zqx" + randomHex(8)
                let question = "What is the capital of France? \(marker)"
                let sim = try await env.startSim(behaviours: Self.refusal)
                let cluster = try await env.startCluster(ClusterSpec(workers: 1, provider: .openAI(baseURL: sim.openAIBase),
                                                                     privacy: storeText ? "{store_query_text: true}" : nil))
                let r = try await cluster.chat(question)
                #expect(r.status == 200)
                #expect(r.headers["x-triage-fallbacks"]?.contains("low_quality") == true, "the request climbed: a misroute")
                let store = try cluster.store()
                let id = try #require(r.headers["x-triage-request-id"])
                let misroute = try #require(await poll(timeout: .seconds(5)) { try? store.misroutes().first { $0.requestID == id } })
                try await Task.sleep(for: .milliseconds(300))
                let bytes = try storeBytes(cluster.dataDir)
                if storeText {
                    #expect(misroute.queryText == question)
                    #expect(bytes.contains(marker))
                } else {
                    #expect(misroute.queryText == nil)
                    #expect(!bytes.contains(marker), "with store_query_text off the query text is nowhere in the store's files")
                }
            }
        }
    }
}

/// Random lower-case hex of `bytes` bytes.
func randomHex(_ bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
}

/// Every byte of a data directory's SQLite store: the database, its WAL and shared-memory files.
func storeBytes(_ dataDir: String) throws -> StoreBytes {
    let path = Store.defaultPath(dataDir: dataDir)
    var all: [UInt8] = []
    for file in [path, path + "-wal", path + "-shm", path + "-journal"] where FileManager.default.fileExists(atPath: file) {
        all += try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
    }
    #expect(all.count > 4096, "the store's files were read")
    return StoreBytes(bytes: all)
}

/// Raw bytes searched for text.
struct StoreBytes {
    var bytes: [UInt8]

    func contains(_ text: String) -> Bool {
        bytes.firstRange(of: Array(text.utf8)) != nil
    }
}
