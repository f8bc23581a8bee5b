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
    }

    @Test func clusterTriageYamlIsTheBuiltInDefault() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("cluster/triage.yaml"), encoding: .utf8)
        let fromFile = try ConfigLoader.load(yaml: file, baseDirectory: "/x")
        let builtIn = try ConfigLoader.load(yaml: DefaultConfig.yaml, baseDirectory: "/x")
        #expect(fromFile == builtIn)
        #expect(builtIn.providers.values.allSatisfy { $0.kind == .sim }, "the quick start needs no provider key")
    }
}
