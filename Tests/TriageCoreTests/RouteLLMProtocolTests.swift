import Testing
import TriageCore

/// The metric code against a worked example.
///
/// Ten queries with scores 0.0, 0.1, …, 0.9. The decile edges are 0.09·k, so threshold k sends the
/// top 10 − k queries to the strong model (the last, `>` 0.9, sends none): shares 1.0, 0.9, …, 0.
///
///     score  0.0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9
///     weak    1   1   0   1   0   1   0   1   0   0     mean 0.5
///     strong  1   0   0   1   1   1   1   1   1   1     mean 0.8, gap 0.3
///
/// Sending the top m to the strong model, m = 0…10, gives correct answers
/// 5, 6, 7, 7, 8, 8, 9, 9, 9, 8, 8, so PGR = 0, 1/3, 2/3, 2/3, 1, 1, 4/3, 4/3, 4/3, 1, 1.
/// Trapezoid with width 0.1: 0.1 × (sum − (first + last) / 2) = 0.1 × (29/3 − 1/2) = 11/12.
/// CPT(50%): PGR 0.5 lies halfway between share 0.1 (1/3) and 0.2 (2/3): 0.15.
/// CPT(80%): between 0.3 (2/3) and 0.4 (1), 40% of the way: 0.34.
/// Oracle: four gains of 1, so PGR = min(10p, 4)/3 at p = 0, 0.1, …: area 0.1 × (34/3 − 2/3) = 16/15,
/// CPT(50%) 0.15, CPT(80%) 0.24. Random: 0.5, 0.5, 0.8.
@Suite struct RouteLLMProtocolTests {
    let scores = (0..<10).map { Double($0) / 10 }
    let weak: [Double] = [1, 1, 0, 1, 0, 1, 0, 1, 0, 0]
    let strong: [Double] = [1, 0, 0, 1, 1, 1, 1, 1, 1, 1]

    @Test func thresholdsAreLinearQuantiles() {
        let t = RouteLLMProtocol.thresholds(scores)
        #expect(t.count == 11)
        for (k, v) in t.enumerated() { #expect(abs(v - 0.09 * Double(k)) < 1e-12) }
        #expect(RouteLLMProtocol.thresholds([5]) == Array(repeating: 5, count: 11))
    }

    @Test func workedExample() {
        let c = RouteLLMProtocol.evaluate(scores: scores, weak: weak, strong: strong)
        #expect(c.points.map(\.strongShare) == (0...10).map { Double($0) / 10 })
        #expect(c.points.map { Int(($0.quality * 10).rounded()) } == [5, 6, 7, 7, 8, 8, 9, 9, 9, 8, 8])
        #expect(abs(c.weakQuality - 0.5) < 1e-12 && abs(c.strongQuality - 0.8) < 1e-12)
        #expect(abs(c.apgr - 11.0 / 12) < 1e-12)
        #expect(abs(c.cpt(0.5)! - 0.15) < 1e-12)
        #expect(abs(c.cpt(0.8)! - 0.34) < 1e-12)
    }

    @Test func orderOfQueriesDoesNotMatter() {
        let perm = [3, 9, 0, 7, 1, 8, 2, 6, 4, 5]
        let c = RouteLLMProtocol.evaluate(scores: perm.map { scores[$0] }, weak: perm.map { weak[$0] }, strong: perm.map { strong[$0] })
        #expect(abs(c.apgr - 11.0 / 12) < 1e-12)
    }

    @Test func oracleAndRandom() {
        let o = RouteLLMProtocol.oracle(weak: weak, strong: strong)
        #expect(abs(o.apgr - 16.0 / 15) < 1e-12)
        #expect(abs(o.cpt(0.5)! - 0.15) < 1e-12)
        #expect(abs(o.cpt(0.8)! - 0.24) < 1e-12)
        let r = RouteLLMProtocol.random(weak: weak, strong: strong)
        #expect(abs(r.apgr - 0.5) < 1e-12)
        #expect(abs(r.cpt(0.5)! - 0.5) < 1e-12)
        #expect(abs(r.cpt(0.8)! - 0.8) < 1e-12)
    }

    @Test func categoryOracleKnowsCategoriesNotQueries() throws {
        // Category a: the strong model gains on both queries (mean gain 1); category b: it gains on one
        // and loses on the other (mean 0), so the by-category router never spends a call there.
        let (cats, w, s) = (["a", "b", "a", "b"], [0.0, 0, 0, 1], [1.0, 1, 1, 0])
        let c = try #require(RouteLLMProtocol.categoryOracle(categories: cats, weak: w, strong: s, bins: 2))
        #expect(c.points.map(\.quality) == [0.25, 0.75, 0.75])
        #expect(abs(c.apgr - 0.75) < 1e-12)  // PGR 0, 1, 1 over shares 0, 0.5, 1
        // The query-level oracle also takes b's gaining query: PGR 0, 1, 1.5.
        #expect(abs(RouteLLMProtocol.oracle(weak: w, strong: s, bins: 2).apgr - 0.875) < 1e-12)
        #expect(RouteLLMProtocol.categoryOracle(categories: ["a", "a"], weak: [0, 1], strong: [1, 1]) == nil)
    }

    @Test func reversedRouterAndTies() {
        let reversed = RouteLLMProtocol.evaluate(scores: scores.map { -$0 }, weak: weak, strong: strong)
        #expect(reversed.apgr < 0.5)
        // A constant score sends everything or nothing: two points, APGR 0.5.
        let flat = RouteLLMProtocol.evaluate(scores: Array(repeating: 0.3, count: 10), weak: weak, strong: strong)
        #expect(Set(flat.points.map(\.strongShare)) == [0, 1])
        #expect(abs(flat.apgr - 0.5) < 1e-12)
    }

    @Test func costsFollowTheRouting() {
        let c = RouteLLMProtocol.evaluate(scores: scores, weak: weak, strong: strong,
                                          weakCost: Array(repeating: 1, count: 10), strongCost: Array(repeating: 10, count: 10))
        #expect(c.points.map { $0.cost! } == (0...10).map { Double(10 + 9 * $0) })
        // CPT(50%) at share 0.15: cost interpolated between 19 and 28.
        #expect(abs(c.crossing(0.5)!.cost! - 23.5) < 1e-9)
    }
}

@Suite struct RoutingDataTests {
    func example(_ id: String, _ source: String, _ category: String, weak: Double, strong: Double) -> RoutingExample {
        RoutingExample(id: id, source: source, category: category, prompt: "p \(id)",
                       scores: [LabelPolicy.routeLLMModels[0]: weak, LabelPolicy.routeLLMModels[1]: strong])
    }

    @Test func parsesJSONL() throws {
        let text = """
        {"id": "gsm8k/0", "source": "gsm8k", "category": "math_word_problem", "prompt": "Janet’s ducks?", "scores": {"a": 1.0, "b": 0}, "responses": {"a": "x"}}

        {"id": "mmlu/x/1", "prompt": "Q", "scores": {"a": 0.5}}
        """
        let rows = try RoutingExample.parseJSONL(Array(text.utf8))
        #expect(rows.count == 2)
        #expect(rows[0].prompt == "Janet’s ducks?" && rows[0].scores == ["a": 1, "b": 0])
        #expect(rows[1].source == "mmlu" && rows[1].category == "mmlu")
        #expect(throws: RoutingDataError.atLine(2, "missing object field 'scores'")) {
            try RoutingExample.parseJSONL(Array("{\"id\":\"a\",\"prompt\":\"p\",\"scores\":{\"a\":1}}\n{\"id\":\"b\",\"prompt\":\"p\"}".utf8))
        }
    }

    @Test func labelsWithMarginAndLadders() {
        let p = LabelPolicy(margin: 0)
        #expect(p.needsStronger(example("1", "s", "c", weak: 0, strong: 1)))
        #expect(!p.needsStronger(example("2", "s", "c", weak: 1, strong: 1)))
        #expect(!p.needsStronger(example("3", "s", "c", weak: 1, strong: 0)))
        let m = LabelPolicy(margin: 0.2)
        #expect(!m.needsStronger(example("4", "s", "c", weak: 0.7, strong: 0.85)))
        #expect(m.needsStronger(example("5", "s", "c", weak: 0.5, strong: 0.85)))
        let three = LabelPolicy(models: ["small", "mid", "big"], margin: 0.1)
        let e = RoutingExample(id: "x", source: "s", category: "c", prompt: "", scores: ["small": 0.2, "mid": 0.75, "big": 0.8])
        #expect(three.tier(e) == 1)
        #expect(abs(TrainingRun.targets([e], policy: three, mode: .gain)[0] - 0.8) < 1e-12)
    }

    @Test func categorySplitHoldsOutWholeCategoriesReproducibly() {
        var rows: [RoutingExample] = []
        for c in 0..<10 { for k in 0..<5 { rows.append(example("m\(c)-\(k)", "mmlu", "cat\(c)", weak: 1, strong: 1)) } }
        for k in 0..<50 { rows.append(example("g\(k)", "gsm8k", "math", weak: 1, strong: 1)) }
        let a = HoldoutSplit(rows, mode: .byCategory, fraction: 0.2, seed: 3)
        let b = HoldoutSplit(rows, mode: .byCategory, fraction: 0.2, seed: 3)
        #expect(a == b)
        #expect(a.heldOutCategories.count == 2)
        let heldCats = Set(a.heldOut.map { rows[$0].category }.filter { $0 != "math" })
        #expect(heldCats.count == 2)
        #expect(!a.train.contains { heldCats.contains(rows[$0].category) })
        #expect(a.heldOut.filter { rows[$0].source == "gsm8k" }.count == 10)
        #expect(Set(a.train).isDisjoint(with: a.heldOut) && a.train.count + a.heldOut.count == rows.count)
        #expect(HoldoutSplit(rows, mode: .byCategory, fraction: 0.2, seed: 4).heldOut != a.heldOut)
        let folds = CrossValidation.folds(rows, indices: a.train, k: 4, seed: 1)
        #expect(folds.flatMap { $0 }.sorted() == a.train.sorted())
        for f in folds {
            let cats = Set(f.map { rows[$0].category }).subtracting(["math"])
            for other in folds where other != f { #expect(cats.isDisjoint(with: other.map { rows[$0].category })) }
        }
    }
}

@Suite struct InvertedCategoryTests {
    static func row(_ category: String, _ k: Int, weak: Double, strong: Double) -> RoutingExample {
        RoutingExample(id: "\(category)/\(k)", source: "mmlu", category: category, prompt: "q \(k)",
                       scores: [LabelPolicy.routeLLMModels[0]: weak, LabelPolicy.routeLLMModels[1]: strong])
    }

    @Test func findsCategoriesWhereTheStrongModelLosesByMoreThanTheGap() {
        var rows: [RoutingExample] = []
        // 60 rows, strong 0.05 vs weak 0.35: inverted.
        for k in 0..<60 { rows.append(Self.row("artefact", k, weak: k % 20 < 7 ? 1 : 0, strong: k % 20 == 0 ? 1 : 0)) }
        // 60 rows, strong a little below weak (0.05): within the gap.
        for k in 0..<60 { rows.append(Self.row("close", k, weak: k % 20 < 10 ? 1 : 0, strong: k % 20 < 9 ? 1 : 0)) }
        // 10 rows, badly inverted but too few to judge.
        for k in 0..<10 { rows.append(Self.row("small", k, weak: 1, strong: 0)) }
        // 60 ordinary rows.
        for k in 0..<60 { rows.append(Self.row("fine", k, weak: k % 2 == 0 ? 1 : 0, strong: 1)) }
        let policy = LabelPolicy()
        #expect(TrainingRun.invertedCategories(rows, rows: Array(rows.indices), policy: policy) == ["artefact"])
        // Only the given rows count: without the artefact's rows nothing is inverted.
        let others = rows.indices.filter { rows[$0].category != "artefact" }
        #expect(TrainingRun.invertedCategories(rows, rows: others, policy: policy).isEmpty)
    }
}
