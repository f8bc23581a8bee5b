import Testing
import TriageCore

@Suite struct JudgeConfigTests {
    static let base = ConfigLoaderTests.minimal

    @Test func absentByDefault() throws {
        #expect(try ConfigLoader.load(yaml: Self.base).judge == nil)
    }

    @Test func readsTheSectionWithDefaults() throws {
        let c = try ConfigLoader.load(yaml: Self.base + "\njudge: {provider: sim, model: judge-mini}")
        #expect(c.judge == JudgeConfig(provider: "sim", model: "judge-mini", price: Price(inputPerMTok: 0, outputPerMTok: 0), timeoutMs: 1500))
        let d = try ConfigLoader.load(yaml: Self.base + "\njudge: {provider: sim, model: j, input_per_mtok: 0.15, output_per_mtok: 0.6, timeout_ms: 800}")
        #expect(d.judge?.price == Price(inputPerMTok: 0.15, outputPerMTok: 0.6))
        #expect(d.judge?.timeoutMs == 800)
        #expect(d.judge?.tier.timeoutSeconds == 0.8)
    }

    @Test func errorsNameTheField() {
        let t = ConfigLoaderTests()
        t.expectError(Self.base + "\njudge: {model: j}", field: "judge.provider", problem: "is required")
        t.expectError(Self.base + "\njudge: {provider: nope, model: j}", field: "judge.provider", problem: "not under providers")
        t.expectError(Self.base + "\njudge: {provider: sim}", field: "judge.model", problem: "is required")
        t.expectError(Self.base + "\njudge: {provider: sim, model: j, timeout_ms: 0}", field: "judge.timeout_ms", problem: "at least")
        t.expectError(Self.base + "\njudge: {provider: sim, model: j, input_per_mtok: -1}", field: "judge.input_per_mtok", problem: "at least")
        t.expectError(Self.base + "\njudge: {provider: sim, model: j, temperature: 0}", field: "judge.temperature", problem: "unknown key")
    }
}
