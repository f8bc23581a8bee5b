extension ConfigLoader {
    /// Reads `classifier.judge` (see ``JudgeStepConfig``); `kind: judge` implies `when: always`.
    static func readJudgeStep(_ node: NodeReader?, kind: String) throws(ConfigError) -> JudgeStepConfig? {
        guard let j = node else { return kind == "judge" ? JudgeStepConfig(when: .always) : nil }
        try j.allowOnly(["when", "margin", "simple_below", "complex_from", "cache_size"])
        var step = JudgeStepConfig(when: kind == "judge" ? .always : .nearThreshold)
        if let w = try j.string("when") {
            guard let when = JudgeStepConfig.When(rawValue: w) else {
                throw ConfigError(field: "classifier.judge.when", problem: "expected always or near_threshold, got '\(w)'")
            }
            step.when = when
        }
        if step.when == .nearThreshold && kind != "learned" {
            throw ConfigError(field: "classifier.judge.when", problem: "near_threshold needs kind: learned (only learned scores have thresholds); use always")
        }
        if let m = try j.double("margin", min: 0) {
            guard m <= 0.5 else { throw ConfigError(field: "classifier.judge.margin", problem: "must be at most 0.5, got \(m)") }
            step.margin = m
        }
        let simple = try j.double("simple_below", min: 0) ?? step.thresholds.simpleBelow
        let complex = try j.double("complex_from", min: 0) ?? step.thresholds.complexFrom
        guard simple <= 1, complex <= 1, simple <= complex else {
            throw ConfigError(field: complex > 1 ? "classifier.judge.complex_from" : "classifier.judge.simple_below",
                              problem: "need 0 <= simple_below <= complex_from <= 1")
        }
        step.thresholds = ScoreThresholds(simpleBelow: simple, complexFrom: complex)
        step.cacheSize = try j.int("cache_size", min: 0) ?? step.cacheSize
        return step
    }

    /// A judge step needs the top-level `judge` section.
    static func checkClassifierJudge(_ config: TriageConfig) throws(ConfigError) {
        guard config.classifier.judge != nil, config.judge == nil else { return }
        throw ConfigError(field: config.classifier.kind == "judge" ? "classifier.kind" : "classifier.judge",
                          problem: "the judge needs the top-level judge section (judge: {provider, model})")
    }
}
