import Testing
import TriageCore

@Suite struct ShadowConfigTests {
    static let base = ConfigLoaderTests.minimal
    static let judge = "\njudge: {provider: sim, model: judge-mini}"
    static func judged(_ qualityJudge: String) -> String {
        ConfigLoaderTests.providers + "\ntiers:\n  - {name: cheap, provider: sim, model: m1, input_per_mtok: 0.1, output_per_mtok: 0.2, quality_judge: \(qualityJudge)}"
    }

    @Test func offByDefault() throws {
        let c = try ConfigLoader.load(yaml: Self.base)
        #expect(c.shadow == ShadowConfig(sampleRate: 0, maxUSDPerDay: 1, maxConcurrent: 2))
        #expect(!c.shadow.enabled)
        #expect(c.tiers.allSatisfy { $0.qualityJudge == nil })
    }

    @Test func readsShadowAndQualityJudge() throws {
        let c = try ConfigLoader.load(yaml: Self.base + Self.judge + "\nshadow: {sample_rate: 0.05, max_usd_per_day: 2.5, max_concurrent: 3}")
        #expect(c.shadow == ShadowConfig(sampleRate: 0.05, maxUSDPerDay: 2.5, maxConcurrent: 3))
        #expect(c.shadow.enabled)
        let q = try ConfigLoader.load(yaml: Self.judged("{threshold: 7}") + Self.judge)
        #expect(q.tiers[0].qualityJudge == QualityJudgeConfig(threshold: 7))
        // A zero rate needs no judge: nothing will be compared.
        #expect(try ConfigLoader.load(yaml: Self.base + "\nshadow: {sample_rate: 0}").shadow.enabled == false)
    }

    @Test func errorsNameTheField() {
        let t = ConfigLoaderTests()
        t.expectError(Self.base + "\nshadow: {sample_rate: 0.1}", field: "shadow.sample_rate", problem: "needs a judge")
        t.expectError(Self.base + Self.judge + "\nshadow: {sample_rate: 1.5}", field: "shadow.sample_rate", problem: "between 0 and 1")
        t.expectError(Self.base + Self.judge + "\nshadow: {sample_rate: -0.1}", field: "shadow.sample_rate", problem: "at least")
        t.expectError(Self.base + Self.judge + "\nshadow: {max_concurrent: 0}", field: "shadow.max_concurrent", problem: "at least")
        t.expectError(Self.base + Self.judge + "\nshadow: {rate: 0.1}", field: "shadow.rate", problem: "unknown key")
        t.expectError(Self.judged("{threshold: 7}"), field: "tiers[0].quality_judge", problem: "needs a judge")
        t.expectError(Self.judged("{threshold: 11}") + Self.judge, field: "tiers[0].quality_judge.threshold", problem: "between 1 and 10")
    }
}

@Suite struct RetrainScheduleConfigTests {
    @Test func readsTheScheduleWithPathsResolvedAgainstTheConfigFile() throws {
        let c = try ConfigLoader.load(yaml: ConfigLoaderTests.minimal + "\nretrain: {every_h: 24, data: [data/gsm8k.jsonl, /abs/mmlu.jsonl]}",
                                      baseDirectory: "/etc/triage")
        #expect(c.retrain == RetrainSchedule(everyHours: 24, data: ["/etc/triage/data/gsm8k.jsonl", "/abs/mmlu.jsonl"]))
        #expect(c.retrain?.thresholds == .keepShares, "a retrain keeps the active version's split of traffic unless told otherwise")
        #expect(try ConfigLoader.load(yaml: ConfigLoaderTests.minimal).retrain == nil)
        let own = try ConfigLoader.load(yaml: ConfigLoaderTests.minimal + "\nretrain: {every_h: 24, data: [a.jsonl], thresholds: own}")
        #expect(own.retrain?.thresholds == .own)
    }

    @Test func errorsNameTheField() {
        let t = ConfigLoaderTests()
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {data: [a.jsonl]}", field: "retrain.every_h", problem: "is required")
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {every_h: 0, data: [a.jsonl]}", field: "retrain.every_h", problem: "at least")
        // Beyond Int64 milliseconds this used to trap when the coordinator started its schedule.
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {every_h: 100000000000000000000.0, data: [a.jsonl]}", field: "retrain.every_h", problem: "at most 8760")
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {every_h: 1}", field: "retrain.data", problem: "is required")
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {every_h: 1, data: [a], install: true}", field: "retrain.install", problem: "unknown key")
        t.expectError(ConfigLoaderTests.minimal + "\nretrain: {every_h: 1, data: [a], thresholds: same}", field: "retrain.thresholds", problem: "must be keep-shares")
    }
}
