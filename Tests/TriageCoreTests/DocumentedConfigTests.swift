import Foundation
import Testing
import TriageCore

/// The configuration the README shows and the one `cluster/up` uses must load, so the docs
/// cannot drift from the loader.
@Suite struct DocumentedConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theREADMEsConfigurationExampleLoads() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Configuration"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```yaml\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        let yaml = String(rest[start.upperBound..<end.lowerBound])
        let config = try ConfigLoader.load(yaml: yaml, baseDirectory: "/srv/triage")
        #expect(config.tiers.map(\.name) == ["simple", "medium"])
        #expect(config.auth.required)
        #expect(config.dataDir == "/srv/triage/data")
        #expect(config.aliases == ["gpt-4.1": "auto", "gpt-4-turbo": "medium"])
    }

    @Test func clusterTriageYamlIsTheBuiltInDefault() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("cluster/triage.yaml"), encoding: .utf8)
        let fromFile = try ConfigLoader.load(yaml: file, baseDirectory: "/x")
        let builtIn = try ConfigLoader.load(yaml: DefaultConfig.yaml, baseDirectory: "/x")
        #expect(fromFile == builtIn)
        #expect(builtIn.providers.values.allSatisfy { $0.kind == .sim }, "the quick start needs no provider key")
    }
}

@Suite struct LimitsConfigTests {
    static let base = """
    providers: {sim: {kind: sim, port: 1}}
    tiers: [{name: simple, provider: sim, model: m, input_per_mtok: 1, output_per_mtok: 1}]
    """

    @Test func aFrameLimitThatCannotHoldTheLargestBodyIsRefused() {
        #expect(throws: ConfigError(field: "limits.max_frame_bytes",
                                    problem: "must exceed max_body_bytes by at least 64 KiB, so every accepted request fits in a frame")) {
            try ConfigLoader.load(yaml: Self.base + "\nlimits: {max_body_bytes: 65536, max_frame_bytes: 65536}")
        }
    }

    @Test func messageAndTokenLimitsAreRead() throws {
        let c = try ConfigLoader.load(yaml: Self.base + "\nlimits: {max_messages: 10, max_tokens: 512}")
        #expect(c.limits.maxMessages == 10 && c.limits.maxTokens == 512)
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: Self.base + "\nlimits: {max_tokens: 99999999}") }
    }

    @Test func theSlowReaderLimitsAreRead() throws {
        #expect(try ConfigLoader.load(yaml: Self.base).limits.maxStreamBufferBytes == 1 << 20)
        #expect(try ConfigLoader.load(yaml: Self.base + "\nlimits: {max_stream_buffer_kb: 64}").limits.maxStreamBufferBytes == 65_536)
        #expect(throws: ConfigError(field: "limits.max_stream_buffer_kb", problem: "must be at least 16, got 1")) {
            try ConfigLoader.load(yaml: Self.base + "\nlimits: {max_stream_buffer_kb: 1}")
        }
        #expect(try ConfigLoader.load(yaml: Self.base).limits.slowReaderGraceSeconds == 30)
        #expect(try ConfigLoader.load(yaml: Self.base + "\nlimits: {slow_reader_grace_s: 2.5}").limits.slowReaderGraceSeconds == 2.5)
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: Self.base + "\nlimits: {slow_reader_grace_s: 0}") }
    }
}
