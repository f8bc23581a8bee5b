import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import Testing
import TriageSim

@Suite struct SimServerTests {
    @Test func servesOnAnEphemeralPort() async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "triage-sim-test")
        logger.logLevel = .warning
        let server = SimServer(config: SimConfig(port: 0, models: ["alpha", "beta"]), logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(services: [server], logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0)

        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/models")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        struct Models: Decodable { struct Model: Decodable { var id: String; var object: String; var owned_by: String }; var object: String; var data: [Model] }
        let models = try JSONDecoder().decode(Models.self, from: data)
        #expect(models.object == "list")
        #expect(models.data.map(\.id) == ["alpha", "beta"])

        let (_, health) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((health as? HTTPURLResponse)?.statusCode == 200)

        await group.triggerGracefulShutdown()
        try await task.value
    }
}
