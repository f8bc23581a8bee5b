import Testing
import TriageCore

@Suite struct RatingParserTests {
    let p = RatingParser(scale: 1...10)

    @Test(arguments: [
        ("7", 7.0), (" 7 \n", 7), ("10", 10), ("1", 1), ("6.5", 6.5),
        ("7/10", 7), ("7 / 10", 7), ("7 out of 10", 7), ("3/5", 6.4),
        ("Rating: 7", 7), ("rating=8", 8), ("**Score:** 4", 4), ("Complexity is 9.", 9), ("My rating: 7/10", 7),
        ("{\"rating\": 7}", 7), ("{\"score\": \"7\"}", 7), ("```json\n{\"Rating\": 3}\n```", 3),
        ("Sure! {\"complexity\": 2, \"reason\": \"a lookup\"}", 2), ("{\"score\": \"8/10\"}", 8),
        ("On a scale of 1 to 10, I'd say 7.", 7), ("On a 1-10 scale this is a 4 because it has 3 steps", 4),
        ("Between 1 and 10: 6", 6), ("It needs 2 steps. Rating: 9", 9),
        ("seven", 7), ("I would rate it three", 3), ("Rating: five", 5),
    ])
    func parses(text: String, expected: Double) {
        let r = p.rating(in: text)
        #expect(r.map { abs($0 - expected) < 1e-9 } == true, "\(text) → \(String(describing: r))")
    }

    @Test(arguments: [("high", 0.8), ("Low complexity", 0.2), ("very high", 0.95), ("Very easy", 0.05), ("medium", 0.5),
                      ("It is a hard one", 0.8), ("{\"rating\": \"high\"}", 0.8)])
    func levelWords(text: String, expected: Double) throws {
        let n = try #require(p.normalised(text))
        #expect(abs(n - expected) < 1e-9, "\(text) → \(n)")
    }

    @Test(arguments: ["", "   ", "I cannot help with that.", "¯\\_(ツ)_/¯", "42", "-3", "Rating: 11",
                      "{\"rating\": null}", "{\"rating\": 99}", "{", "}{", "{\"other\": 5}", "{\"rating\": \"n/a\"} 7", "0/0"])
    func junkIsNil(text: String) {
        #expect(p.rating(in: text) == nil, "\(text)")
    }

    @Test func normalisesToTheUnitInterval() {
        #expect(p.normalised("1") == 0)
        #expect(p.normalised("10") == 1)
        #expect(p.normalised("5.5") == 0.5)
        let five = RatingParser(scale: 0...5)
        #expect(five.normalised("4") == 0.8)
        #expect(five.normalised("4/5") == 0.8)
        #expect(five.normalised("8/10") == 0.8)  // another denominator rescales
        #expect(five.normalised("7") == nil)
    }

    @Test func numbersTooLongForADoubleAreNoRating() {
        let huge = String(repeating: "9", count: 400)  // reads as infinity; inf/inf used to give a NaN rating
        #expect(p.rating(in: "\(huge)/\(huge)") == nil)
        #expect(p.rating(in: "Rating: \(huge) out of \(huge)") == nil)
    }

    @Test func longJunkIsBounded() {
        let text = String(repeating: "blah ", count: 50_000)
        #expect(p.rating(in: text) == nil)
    }
}
