extension ConfigLoader {
    /// Reads the optional `shadow` section (see ``ShadowConfig``).
    static func readShadow(_ node: NodeReader?) throws(ConfigError) -> ShadowConfig {
        var s = ShadowConfig()
        guard let n = node else { return s }
        try n.allowOnly(["sample_rate", "max_usd_per_day", "max_concurrent"])
        s.sampleRate = try n.double("sample_rate", min: 0) ?? s.sampleRate
        guard s.sampleRate <= 1 else { throw ConfigError(field: "shadow.sample_rate", problem: "must be between 0 and 1, got \(s.sampleRate)") }
        s.maxUSDPerDay = try n.double("max_usd_per_day", min: 0) ?? s.maxUSDPerDay
        s.maxConcurrent = try n.int("max_concurrent", min: 1, max: 1024) ?? s.maxConcurrent
        return s
    }

    /// Reads a tier's optional `quality_judge` (see ``QualityJudgeConfig``).
    static func readQualityJudge(_ node: NodeReader?) throws(ConfigError) -> QualityJudgeConfig? {
        guard let n = node else { return nil }
        try n.allowOnly(["threshold"])
        let threshold = try n.double("threshold", min: 1) ?? 6
        guard threshold <= 10 else { throw ConfigError(field: n.path + ".threshold", problem: "must be between 1 and 10, got \(threshold)") }
        return QualityJudgeConfig(threshold: threshold)
    }

    /// Shadow comparison and judge quality checks need the `judge` section.
    static func checkJudgeUsers(_ config: TriageConfig) throws(ConfigError) {
        guard config.judge == nil else { return }
        if config.shadow.enabled {
            throw ConfigError(field: "shadow.sample_rate", problem: "shadow comparison needs a judge: add a judge section (judge: {provider, model})")
        }
        if let i = config.tiers.firstIndex(where: { $0.qualityJudge != nil }) {
            throw ConfigError(field: "tiers[\(i)].quality_judge", problem: "needs a judge: add a judge section (judge: {provider, model})")
        }
    }
}

extension ConfigLoader {
    /// Reads the optional `retrain` section (see ``RetrainSchedule``).
    static func readRetrain(_ node: NodeReader?, resolve: (String) -> String) throws(ConfigError) -> RetrainSchedule? {
        guard let n = node else { return nil }
        try n.allowOnly(["every_h", "data", "thresholds"])
        guard let every = try n.double("every_h", min: 0.0001, max: 8760) else {
            throw ConfigError(field: "retrain.every_h", problem: "is required (hours between runs)")
        }
        guard let data = try n.stringList("data"), !data.isEmpty else {
            throw ConfigError(field: "retrain.data", problem: "is required: a list of RouteLLM-format JSONL files")
        }
        var thresholds = RetrainThresholds.keepShares
        if let t = try n.string("thresholds") {
            guard let choice = RetrainThresholds(rawValue: t) else {
                throw ConfigError(field: "retrain.thresholds", problem: "must be keep-shares (the active version's shares of traffic per tier) or own, not '\(t)'")
            }
            thresholds = choice
        }
        return RetrainSchedule(everyHours: every, data: data.map(resolve), thresholds: thresholds)
    }
}
