import Testing
import TriageCore

@Suite struct RetrainThresholdsTests {
    typealias C = ThresholdCalibration

    /// 200 held-out rows: the active version's scores spread over [0, 1], the candidate's squeezed
    /// into [0.9, 0.95] (another model, another scale), in a different order.
    static let active = (0..<200).map { Double($0) / 200 }
    static let candidate = (0..<200).map { 0.9 + Double(($0 * 37) % 200) / 4000 }

    @Test func keepSharesGivesTheCandidateTheActiveVersionsSplit() {
        // The active version sends 70% to the cheapest tier, 20% to the middle and 10% to the top.
        let activeThresholds = ScoreThresholds(simpleBelow: 0.7, complexFrom: 0.9)
        let own = (ScoreThresholds(simpleBelow: 0.92, complexFrom: 0.94), "own")
        let (t, how) = RetrainThresholds.keepShares.thresholds(candidateScores: Self.candidate, own: own,
                                                               active: (version: 4, scores: Self.active, thresholds: activeThresholds))
        let got = C.shares(Self.candidate, t)
        #expect(abs(got.simple - 0.7) < 1e-9 && abs(got.medium - 0.2) < 1e-9 && abs(got.complex - 0.1) < 1e-9, "\(got)")
        #expect(how == "v4's shares of the 200 held-out rows kept (simple 70.0%, medium 20.0%, complex 10.0%); `triage calibrate` moves them")
        // Copying the active version's threshold values instead would have sent every query to the top tier.
        #expect(C.shares(Self.candidate, activeThresholds).complex == 1)
    }

    @Test func ownThresholdsWhenAskedOrWithNothingToKeep() {
        let own = (ScoreThresholds(simpleBelow: 0.92, complexFrom: 0.94), "quantiles")
        let active = (version: Int64(1), scores: Self.active, thresholds: ScoreThresholds(simpleBelow: 0.7, complexFrom: 0.9))
        #expect(RetrainThresholds.own.thresholds(candidateScores: Self.candidate, own: own, active: active) == own)
        #expect(RetrainThresholds.keepShares.thresholds(candidateScores: Self.candidate, own: own, active: nil) == own)
        #expect(RetrainThresholds.keepShares.thresholds(candidateScores: [], own: own, active: (1, [], active.thresholds)) == own)
    }
}
