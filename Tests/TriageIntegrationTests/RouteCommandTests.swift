import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// `triage route` and `triage version`, run as commands.
    @Suite struct RouteCommandTests {
        /// The JSON object in a command's output.
        static func jsonObject(in output: String) throws -> JSONValue {
            guard let start = output.firstIndex(of: "{"), let end = output.lastIndex(of: "}") else {
                throw HarnessError("no JSON in output: \(output)")
            }
            return try JSONValue.parse(Array(output[start...end].utf8))
        }

        @Test func routeDecisions() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let config = try env.dir.write("route.yaml", ClusterSpec(simPort: 1).yaml(dataDir: env.dir.file("data")))

            let simple = try await env.run(["route", "--config", config, "What is the capital of France?"])
            #expect(simple.status == 0, "\(simple.output)")
            let s = try Self.jsonObject(in: simple.output)
            #expect(s["tier"]?.stringValue == "simple", "\(simple.output)")
            #expect(s["model"]?.stringValue == "gpt-4o-mini")
            #expect(s["reason"]?.stringValue?.isEmpty == false)

            let complex = try await env.run(["route", "--config", config, "--system", "You are an architect",
                                       "Design and compare two architectures for a queue"])
            #expect(complex.status == 0, "\(complex.output)")
            let c = try Self.jsonObject(in: complex.output)
            #expect(c["tier"]?.stringValue == "complex", "\(complex.output)")
            #expect(c["model"]?.stringValue == "claude-opus-4-1")
            #expect(c["reason"]?.stringValue?.isEmpty == false)

            let version = try await env.run(["version"])
            #expect(version.status == 0)
            #expect(!version.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
    }
}
