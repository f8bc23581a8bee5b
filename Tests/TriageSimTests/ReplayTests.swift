import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TriageSim

@Suite struct ReplayTests {
    static let gsm8kPath = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/routellm/gsm8k.jsonl").standardizedFileURL.path

    struct Record: Decodable {
        var id: String
        var prompt: String
        var responses: [String: String]
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ReplayTests.gsm8kPath),
                   "needs shared/data/routellm/gsm8k.jsonl beside the repository"))
    func replaysRecordedGSM8KAnswer() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.gsm8kPath))
        let lines = data.split(separator: UInt8(ascii: "\n"))
        let record = try JSONDecoder().decode(Record.self, from: lines[7])
        let config = SimConfig(
            port: 0,
            replayFile: Self.gsm8kPath,
            replayModels: ["gpt-4o-mini": "mixtral-8x7b-instruct-v0.1"]
        )
        try await SimTest.app(config).test(.router) { client in
            let mapped = try await SimTest.chat(client, SimTest.chatBody(model: "gpt-4o-mini", prompt: "  " + record.prompt + "\n"))
            #expect(mapped.headers[HTTPField.Name("x-sim-replay")!] == record.id)
            let completion = try SimTest.decode(Completion.self, mapped.body)
            #expect(completion.choices[0].message.content == record.responses["mixtral-8x7b-instruct-v0.1"])
            #expect(completion.model == "gpt-4o-mini")

            let direct = try await SimTest.chat(client, SimTest.chatBody(model: "gpt-4-1106-preview", prompt: record.prompt, stream: true))
            #expect(direct.headers[HTTPField.Name("x-sim-replay")!] == record.id)
            let chunks = try SimTest.events(direct.body).dropLast().map { try JSONDecoder().decode(Chunk.self, from: Data($0.utf8)) }
            #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined() == record.responses["gpt-4-1106-preview"])
        }
    }

    @Test func replaysFromSmallFileAndFallsBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("replay.jsonl")
        try """
        {"id": "t/1", "source": "t", "category": "c", "prompt": "  What is seven times six?\\n", "scores": {"weak": 1.0}, "responses": {"weak": "Seven times six is 42.", "strong": "7 × 6 = 42"}}

        {"id": "t/2", "source": "t", "category": "c", "prompt": "No answers here", "scores": {"weak": 0.0}}
        """.write(to: file, atomically: true, encoding: .utf8)

        let config = SimConfig(port: 0, replayFile: file.path, replayModels: ["cheap": "weak"])
        try await SimTest.app(config).test(.router) { client in
            for (model, expected) in [("cheap", "Seven times six is 42."), ("strong", "7 × 6 = 42")] {
                let response = try await SimTest.chat(client, SimTest.chatBody(model: model, prompt: "What is seven times six?"))
                #expect(response.headers[HTTPField.Name("x-sim-replay")!] == "t/1")
                #expect(try SimTest.decode(Completion.self, response.body).choices[0].message.content == expected)
            }
            for (model, prompt) in [("unmapped", "What is seven times six?"), ("cheap", "No answers here"), ("cheap", "Something else")] {
                let response = try await SimTest.chat(client, SimTest.chatBody(model: model, prompt: prompt))
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-sim-replay")!] == nil)
            }
        }
    }

    @Test func badReplayFilesThrowTypedErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.jsonl")
        try "{\"id\":\"a\",\"prompt\":\"p\",\"responses\":{}}\n{not json}\n".write(to: file, atomically: true, encoding: .utf8)

        #expect {
            _ = try SimTest.app(SimConfig(port: 0, replayFile: file.path))
        } throws: { error in
            guard case .replayLineInvalid(_, let line, _) = error as? SimError else { return false }
            return line == 2
        }
        let missing = directory.appendingPathComponent("missing.jsonl").path
        #expect {
            _ = try SimTest.app(SimConfig(port: 0, replayFile: missing))
        } throws: { error in
            guard case .replayFileUnreadable(let path, _) = error as? SimError else { return false }
            return path == missing
        }
    }
}
