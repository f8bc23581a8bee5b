import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Client errors in OpenAI's shape (unknown paths and methods too), and the info endpoints.
    @Suite struct HTTPErrorTests {
        static func expectError(_ r: HTTPResult, status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
            #expect(r.headers["content-type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
            let error = (try? r.json())?["error"]
            #expect(error?["code"]?.stringValue == code, "\(r.text)", sourceLocation: sourceLocation)
            #expect(error?["type"]?.stringValue == "invalid_request_error", "\(r.text)", sourceLocation: sourceLocation)
            #expect(error?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        }

        @Test func errorsModelsAndHealth() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, maxBodyBytes: 65536))
            let http = cluster.http

            let malformed = try await http.post(cluster.chatURL, body: Array(#"{"model": "auto", "messages": ["#.utf8))
            Self.expectError(malformed, status: 400, code: "invalid_json")
            let missing = try await http.post(cluster.chatURL, json: .object(["model": .string("auto")]))
            Self.expectError(missing, status: 400, code: "missing_field")
            let unknown = try await cluster.chat("hello", model: "no-such-model")
            Self.expectError(unknown, status: 404, code: "model_not_found")
            let huge = String(repeating: "word ", count: 15_000)  // 75 000 bytes > 65 536
            let tooLarge = try await http.post(cluster.chatURL, json: chatBody(huge))
            Self.expectError(tooLarge, status: 413, code: "request_too_large")

            // A tier name or a tier's model picks that tier.
            let medium = try await cluster.chat("What is the capital of France?", model: "medium")
            #expect(medium.status == 200)
            #expect(medium.headers["x-triage-tier"] == "medium")
            let opus = try await cluster.chat("What is the capital of France?", model: "claude-opus-4-1")
            #expect(opus.status == 200)
            #expect(opus.headers["x-triage-tier"] == "complex")

            let models = try await http.get(cluster.base + "/v1/models")
            #expect(models.status == 200)
            let list = try models.json()
            #expect(list["object"]?.stringValue == "list")
            let ids = Set(list["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            #expect(ids.isSuperset(of: ["auto", "simple", "medium", "complex", "gpt-4o-mini", "claude-sonnet-4-5", "claude-opus-4-1"]),
                    "\(ids.sorted())")

            // One model by id, as SDKs' models.retrieve asks; an id with its slash escaped is decoded.
            let one = try await http.get(cluster.base + "/v1/models/claude-sonnet-4-5")
            #expect(one.status == 200, "\(one.text)")
            #expect(try one.json()["id"]?.stringValue == "claude-sonnet-4-5")
            #expect(try one.json()["object"]?.stringValue == "model")
            #expect(try await http.get(cluster.base + "/v1/models/auto").status == 200)
            Self.expectError(try await http.get(cluster.base + "/v1/models/gpt-9"), status: 404, code: "model_not_found")
            let escaped = try await http.get(cluster.base + "/v1/models/meta-llama%2FLlama-3")
            Self.expectError(escaped, status: 404, code: "model_not_found")
            #expect(escaped.text.contains("'meta-llama/Llama-3'"), "\(escaped.text)")

            // What no route serves answers in OpenAI's shape too: a wrong method names the right one.
            let embeddings = try await http.post(cluster.base + "/v1/embeddings", json: .object(["input": .string("x")]))
            Self.expectError(embeddings, status: 404, code: "unknown_url")
            #expect(embeddings.text.contains("Invalid URL (POST /v1/embeddings)"), "\(embeddings.text)")
            Self.expectError(try await http.post(cluster.base + "/chat/completions", json: chatBody("hi")), status: 404, code: "unknown_url")
            let wrongMethod = try await http.get(cluster.chatURL)
            Self.expectError(wrongMethod, status: 405, code: "method_not_allowed")
            #expect(wrongMethod.headers["allow"] == "POST", "\(wrongMethod.headers)")
            let postModels = try await http.post(cluster.base + "/v1/models", json: .object([:]))
            Self.expectError(postModels, status: 405, code: "method_not_allowed")
            #expect(postModels.headers["allow"] == "GET", "\(postModels.headers)")

            let health = try await http.get(cluster.base + "/healthz")
            #expect(health.status == 200)
            let ready = try await http.get(cluster.base + "/readyz")
            #expect(ready.status == 200, "\(ready.text)")
            #expect(try ready.json()["workers_ready"]?.intValue == 1)

            // None of that disturbed serving.
            #expect(try await cluster.chat("What is the capital of France?").status == 200)
        }

        @Test func readyzIs503WithoutWorkers() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 0))
            let ready = try await cluster.http.get(cluster.base + "/readyz")
            #expect(ready.status == 503, "\(ready.text)")
            let r = try await cluster.chat("What is the capital of France?", timeout: .seconds(10))
            #expect(r.status == 503, "\(r.text)")
            #expect(r.errorCode == "no_workers", "\(r.text)")
        }
    }
}
