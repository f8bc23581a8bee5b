import Testing
import TriageCore

@Suite struct ThresholdCalibrationTests {
    typealias C = ThresholdCalibration

    @Test func sharesParse() {
        #expect(C.Shares("simple=0.6,medium=0.3,complex=0.1") == C.Shares(simple: 0.6, medium: 0.3, complex: 0.1))
        #expect(C.Shares("simple=0.7, complex=0.3") == C.Shares(simple: 0.7, medium: 0, complex: 0.3))
        for bad in ["simple=0.6,medium=0.3", "simple=0.6,medium=0.6,complex=-0.2", "easy=1", "simple=1,simple=0", "simple=x", ""] {
            #expect(C.Shares(bad) == nil, "\(bad)")
        }
    }

    @Test func sharesAreMetOnASyntheticSet() {
        // 1,000 distinct scores in a skewed order: the quantile cut must not assume uniform scores.
        var rng = SplitMix64(seed: 7)
        let scores = (0..<1000).map { _ -> Double in let u = Double(rng.next() % 1_000_000) / 1_000_000; return u * u * u }
        for target in [C.Shares(simple: 0.6, medium: 0.3, complex: 0.1), C.Shares(simple: 0.2, medium: 0.5, complex: 0.3),
                       C.Shares(simple: 1, medium: 0, complex: 0), C.Shares(simple: 0, medium: 0, complex: 1)] {
            let t = C.byShares(scores, target)
            let got = C.shares(scores, t)
            #expect(abs(got.simple - target.simple) <= 0.002 && abs(got.medium - target.medium) <= 0.002
                    && abs(got.complex - target.complex) <= 0.002, "\(target) → \(got)")
        }
    }

    @Test func keptGapFindsTheSmallestStrongShare() throws {
        // 10 queries; the strong model fixes queries 0-3 (the four highest scores) and breaks none.
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
        let weak = [0.0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
        let strong = [1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        let half = try #require(C.byKeptGap(scores: scores, weak: weak, strong: strong, keep: 0.5))
        #expect(half.strongShare == 0.2 && half.threshold == 0.8 && abs(half.pgr - 0.5) < 1e-12)
        let all = try #require(C.byKeptGap(scores: scores, weak: weak, strong: strong, keep: 1))
        #expect(all.strongShare == 0.4 && all.threshold == 0.6)
        let none = try #require(C.byKeptGap(scores: scores, weak: weak, strong: strong, keep: 0))
        #expect(none.strongShare == 0)
        // A useless (reversed) classifier needs far more strong calls for the same gap.
        let reversed = try #require(C.byKeptGap(scores: scores.map { 1 - $0 }, weak: weak, strong: strong, keep: 1))
        #expect(reversed.strongShare == 1)
        #expect(C.byKeptGap(scores: scores, weak: strong, strong: strong, keep: 0.5) == nil, "no gap")
    }
}
