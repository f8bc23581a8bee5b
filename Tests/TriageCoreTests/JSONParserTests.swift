import Testing
import TriageCore

@Suite struct JSONParserTests {
    private func parse(_ s: String) throws(TriageError) -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let v = try parse(#" {"a": [1, -2, 3.5, 1e3, true, false, null], "s": "x\"y\\z\/\n\u00e9\ud83d\ude00"} "#)
        #expect(v["a"] == .array([.int(1), .int(-2), .double(3.5), .double(1000), .bool(true), .bool(false), .null]))
        #expect(v["s"]?.stringValue == "x\"y\\z/\né😀")
        #expect(try parse("[]") == .array([]) && parse("{}") == .object([:]))
    }

    @Test func refusesWhatJSONDoesNotAllow() {
        for bad in ["", "[1,2,]", "{\"a\":1,}", "{'a':1}", "[1 2]", "tru", "\"a\tb\"", "\"\\q\"", "{\"a\"}", "1 2", "[", "\"abc"] {
            #expect(throws: TriageError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func errorsSayWhereAndWhy() {
        #expect(throws: TriageError.invalidJSON("unexpected character ']' at byte 5")) { try parse("[1,2,]") }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        #expect(throws: TriageError.self) { try parse(String(repeating: "[", count: 100_000)) }
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)) }
    }

    /// Found by `cluster/fuzz chat-request`: a high surrogate followed by an escape that is not a
    /// low surrogate overflowed the pairing arithmetic and trapped, so one request body could bring
    /// the coordinator down. Unpaired surrogates now read as U+FFFD.
    @Test func unpairedSurrogatesAreReplacedNotACrash() throws {
        let crash = Array(#"{"ange0e9\ud8e9\ud83d\"#.utf8) + [0xFF, 0xFF, 0x22, 0xFF, 0x30, 0xFF, 0x2C, 0x22, 0x67]  // the fuzzer's input
        #expect(throws: TriageError.self) { try JSONValue.parse(crash) }
        #expect(try parse(#""\ud8e9\ud83d""#) == .string("\u{FFFD}\u{FFFD}"))
        #expect(try parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud800\ud83d\ude00""#) == .string("\u{FFFD}😀"), "the second escape still pairs")
        #expect(try parse(#""\udc00x\ud800""#) == .string("\u{FFFD}x\u{FFFD}"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    /// Found by `cluster/fuzz chat-request`: `1e999` parsed as infinity, which the writer sends on
    /// as `null`, so a passed-through field silently changed. Such numbers are now invalid JSON.
    @Test func numbersBeyondDoubleAreRefused() throws {
        for bad in ["1e999", "-1e999", #"{"model":"auto","temperature":1e400}"#] {
            #expect(throws: TriageError.self, "\(bad)") { try parse(bad) }
        }
        #expect(try parse("1e308") == .double(1e308))
        #expect(try parse("1e-999") == .double(0))
        #expect(try parse("-0.0") == .double(-0.0))
    }

    @Test func encodingRoundTripsAndEscapes() throws {
        let v: JSONValue = .object(["k": .string("a\"b\\c\n\u{01}é"), "n": .array([.int(-7), .double(0.25), .null, .bool(true)])])
        #expect(try JSONValue.parse(v.encoded()) == v)
        #expect(String(decoding: JSONValue.string("\u{01}").encoded(), as: UTF8.self) == "\"\\u0001\"")
        #expect(String(decoding: JSONValue.double(.infinity).encoded(), as: UTF8.self) == "null")
    }
}
