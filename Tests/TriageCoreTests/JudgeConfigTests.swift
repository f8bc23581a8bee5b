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

@Suite struct ClassifierJudgeConfigTests {
    static let base = ConfigLoaderTests.minimal + "\njudge: {provider: sim, model: judge-mini}"

    @Test func chainingAndKindJudge() throws {
        let chained = try ConfigLoader.load(yaml: Self.base + "\nclassifier: {kind: learned, judge: {when: near_threshold, margin: 0.15}}")
        #expect(chained.classifier.judge == JudgeStepConfig(when: .nearThreshold, margin: 0.15))
        let judge = try ConfigLoader.load(yaml: Self.base + "\nclassifier: {kind: judge}")
        #expect(judge.classifier.judge?.when == .always)
        let custom = try ConfigLoader.load(yaml: Self.base + "\nclassifier: {kind: judge, judge: {simple_below: 0.2, complex_from: 0.9, cache_size: 5}}")
        #expect(custom.classifier.judge?.thresholds == ScoreThresholds(simpleBelow: 0.2, complexFrom: 0.9))
        #expect(custom.classifier.judge?.cacheSize == 5)
        #expect(try ConfigLoader.load(yaml: Self.base + "\nclassifier: {kind: learned}").classifier.judge == nil)
    }

    @Test func errorsNameTheField() {
        let t = ConfigLoaderTests()
        t.expectError(ConfigLoaderTests.minimal + "\nclassifier: {kind: judge}", field: "classifier.kind", problem: "top-level judge section")
        t.expectError(ConfigLoaderTests.minimal + "\nclassifier: {kind: learned, judge: {margin: 0.1}}", field: "classifier.judge", problem: "top-level judge section")
        t.expectError(Self.base + "\nclassifier: {kind: rules, judge: {when: near_threshold}}", field: "classifier.judge.when", problem: "needs kind: learned")
        t.expectError(Self.base + "\nclassifier: {kind: learned, judge: {when: sometimes}}", field: "classifier.judge.when", problem: "expected always or near_threshold")
        t.expectError(Self.base + "\nclassifier: {kind: learned, judge: {margin: 0.9}}", field: "classifier.judge.margin", problem: "at most 0.5")
        t.expectError(Self.base + "\nclassifier: {kind: judge, judge: {simple_below: 0.8, complex_from: 0.2}}", field: "classifier.judge.simple_below", problem: "simple_below <= complex_from")
        t.expectError(Self.base + "\nclassifier: {kind: judge, judge: {complex_from: 1.5}}", field: "classifier.judge.complex_from", problem: "complex_from <= 1")
        t.expectError(Self.base + "\nclassifier: {kind: smart}", field: "classifier.kind", problem: "available: rules, learned, judge")
    }
}
