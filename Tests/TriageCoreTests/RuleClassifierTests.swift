import Testing
import TriageCore

@Suite struct RuleClassifierTests {
    let rules = RuleClassifier()

    func classify(_ messages: [(String, String)], _ classifier: RuleClassifier? = nil) throws -> Classification {
        (classifier ?? rules).classify(try chatRequest(messages))
    }

    @Test func shortQueryWithoutKeywordOrContextIsSimple() throws {
        let c = try classify([("user", "What is the capital of France?")])
        #expect(c.complexity == .simple)
        #expect(c.reason == "short query (6 words < 20), no keyword, no context")
    }

    @Test func nineteenWordsIsSimpleAndTwentyIsMedium() throws {
        let nineteen = try classify([("user", words(19))])
        #expect(nineteen.complexity == .simple)
        let twenty = try classify([("user", words(20))])
        #expect(twenty.complexity == .medium)
        #expect(twenty.reason == "medium (20 words)")
    }

    @Test func oneHundredWordsIsMediumAndOneHundredOneIsComplex() throws {
        let hundred = try classify([("user", words(100))])
        #expect(hundred.complexity == .medium)
        #expect(hundred.reason == "medium (100 words)")
        let more = try classify([("user", words(101))])
        #expect(more.complexity == .complex)
        #expect(more.reason == "long query (101 words > 100)")
    }

    @Test func betweenTheThresholdsIsMedium() throws {
        #expect(try classify([("user", words(50))]).complexity == .medium)
    }

    @Test func longQueryIsComplexWithoutKeywordOrContext() throws {
        let c = try classify([("user", words(250))])
        #expect(c.complexity == .complex)
        #expect(c.reason.hasPrefix("long query"))
    }

    @Test func keywordWithoutContextIsMedium() throws {
        let c = try classify([("user", "Please design a logo")])
        #expect(c.complexity == .medium)
        #expect(c.reason == "medium (keyword 'design')")
    }

    @Test func keywordWithSystemPromptIsComplex() throws {
        let c = try classify([("system", "You are an architect."), ("user", "Design a cache")])
        #expect(c.complexity == .complex)
        #expect(c.reason == "keyword 'design' with context (system prompt)")
    }

    @Test func developerMessageCountsAsSystemPrompt() throws {
        let c = try classify([("developer", "Be terse."), ("user", "debug this")])
        #expect(c.complexity == .complex)
        #expect(c.reason == "keyword 'debug' with context (system prompt)")
    }

    @Test func keywordWithEarlierTurnsIsComplex() throws {
        let c = try classify([("user", "hi"), ("assistant", "hello"), ("user", "now compare them")])
        #expect(c.complexity == .complex)
        #expect(c.reason == "keyword 'compare' with context (earlier turns)")
    }

    @Test func shortQueryWithSystemPromptIsMedium() throws {
        let c = try classify([("system", "You are helpful."), ("user", "hi")])
        #expect(c.complexity == .medium)
        #expect(c.reason == "medium (system prompt)")
    }

    @Test func shortQueryWithEarlierTurnsIsMedium() throws {
        let c = try classify([("user", "hi"), ("assistant", "hello"), ("user", "thanks")])
        #expect(c.complexity == .medium)
        #expect(c.reason == "medium (earlier turns)")
    }

    @Test func mediumReasonListsEveryCause() throws {
        let c = try classify([("user", words(30) + " analyze")])
        #expect(c.complexity == .medium)
        #expect(c.reason == "medium (31 words, keyword 'analyze')")
    }

    @Test func onlyTheLastUserMessageIsCounted() throws {
        // A long earlier turn does not make the short follow-up long.
        let c = try classify([("user", words(150)), ("assistant", "ok"), ("user", "thanks")])
        #expect(c.complexity == .medium)
        #expect(c.reason == "medium (earlier turns)")
    }

    @Test func wordsAreSeparatedByAnyWhitespace() throws {
        let text = (1...20).map { "w\($0)" }.joined(separator: " \n\t\r ")
        #expect(try classify([("user", "  " + text + "  ")]).reason == "medium (20 words)")
        #expect(try classify([("user", "   ")]).complexity == .simple)
    }

    @Test func keywordsMatchWholeWordsOnly() throws {
        #expect(try classify([("user", "Who is the designer of this?")]).complexity == .simple)
        #expect(try classify([("user", "I am debugging")]).complexity == .simple)
        #expect(try classify([("user", "a redesign please")]).complexity == .simple)
    }

    @Test func keywordsMatchRegardlessOfCaseAndPunctuation() throws {
        #expect(try classify([("user", "DESIGN!")]).reason == "medium (keyword 'design')")
        #expect(try classify([("user", "(design)")]).reason == "medium (keyword 'design')")
        #expect(try classify([("user", "a re-design")]).reason == "medium (keyword 'design')")
    }

    @Test func aWholeWordMatchAfterAPartialOneIsFound() throws {
        let c = try classify([("user", "the designer will design it")])
        #expect(c.reason == "medium (keyword 'design')")
    }

    @Test func phraseKeywordsMatch() throws {
        #expect(try classify([("user", "go step by step")]).reason == "medium (keyword 'step by step')")
        #expect(try classify([("user", "explain why the sky is blue")]).reason == "medium (keyword 'explain why')")
        #expect(try classify([("user", "explain whyever")]).complexity == .simple)
    }

    @Test func customThresholdsAreHonoured() throws {
        let custom = RuleClassifier(settings: .init(simpleMaxWords: 5, complexMinWords: 10))
        #expect(try classify([("user", words(4))], custom).complexity == .simple)
        #expect(try classify([("user", words(5))], custom).reason == "medium (5 words)")
        #expect(try classify([("user", words(10))], custom).complexity == .medium)
        #expect(try classify([("user", words(11))], custom).reason == "long query (11 words > 10)")
    }

    @Test func customKeywordsReplaceTheDefaults() throws {
        let custom = RuleClassifier(settings: .init(keywords: ["haiku", "in detail"]))
        let withContext: [(String, String)] = [("system", "You are a poet.")]
        #expect(try classify(withContext + [("user", "write a haiku")], custom).reason == "keyword 'haiku' with context (system prompt)")
        #expect(try classify(withContext + [("user", "describe it in detail")], custom).complexity == .complex)
        #expect(try classify(withContext + [("user", "design a cache")], custom).reason == "medium (system prompt)")
        #expect(try classify([("user", "design a cache")], custom).complexity == .simple)
    }

    @Test func scoreGrowsWithLengthKeywordAndContext() throws {
        let simple = try classify([("user", "hi")])
        let keyword = try classify([("user", "analyze")])
        let both = try classify([("system", "s"), ("user", "analyze")])
        let long = try classify([("system", "s"), ("user", words(300) + " analyze")])
        #expect(simple.score < keyword.score)
        #expect(keyword.score < both.score)
        #expect(both.score < long.score)
        #expect(long.score == 1)
        #expect(simple.score >= 0)
    }

    @Test func nameIsRules() {
        #expect(rules.name == "rules")
    }
}
