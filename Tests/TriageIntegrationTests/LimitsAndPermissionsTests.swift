import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Request limits and the permissions of the worker sockets (part of issue 10).
    @Suite struct LimitsAndPermissionsTests {
        @Test func requestLimitsAndSocketModes() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1))

            // More messages than limits.max_messages (1000 by default).
            let many = JSONValue.array((0..<1001).map { _ in .object(["role": .string("user"), "content": .string("hi")]) })
            let tooMany = try await cluster.http.post(cluster.chatURL, json: .object(["model": .string("auto"), "messages": many]))
            #expect(tooMany.status == 400)
            #expect(tooMany.errorCode == "invalid_field" && tooMany.text.contains("max_messages"))
            // A max_tokens over limits.max_tokens.
            var body = chatBody("hi")
            body["max_tokens"] = .int(500_000)
            let tooManyTokens = try await cluster.http.post(cluster.chatURL, json: body)
            #expect(tooManyTokens.status == 400 && tooManyTokens.text.contains("max_tokens"))
            // Oversized headers are refused without harm.
            let huge = try? await cluster.http.post(cluster.chatURL, json: chatBody("hi"), headers: ["x-padding": String(repeating: "a", count: 200_000)])
            #expect(huge.map { $0.status >= 400 } ?? true)
            let after = try await cluster.chat("What is the capital of France?")
            #expect(after.status == 200)

            // The socket directory is private to the owner and each socket is 0600.
            let worker = try #require(try cluster.workers().first)
            let dir = (worker.socketPath as NSString).deletingLastPathComponent
            let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
            let sockMode = try FileManager.default.attributesOfItem(atPath: worker.socketPath)[.posixPermissions] as? Int
            #expect(dirMode == 0o700, "run dir mode \(String(dirMode ?? 0, radix: 8))")
            #expect(sockMode == 0o600, "socket mode \(String(sockMode ?? 0, radix: 8))")
        }
    }
}
