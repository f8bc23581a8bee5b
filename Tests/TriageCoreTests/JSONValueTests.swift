import Testing
import TriageCore

@Suite struct JSONValueTests {
    func parse(_ s: String) throws(TriageError) -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    func expectInvalidJSON(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let v = try parse(s)
            Issue.record("parsed \(s) as \(v)", sourceLocation: sourceLocation)
        } catch {
            guard case .invalidJSON(let why) = error else {
                Issue.record("expected invalidJSON, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(!why.isEmpty, sourceLocation: sourceLocation)
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let v = try parse(#"{"n":null,"t":true,"f":false,"i":42,"neg":-7,"d":1.5,"s":"x","a":[1,"two",[3]],"o":{"p":{"q":0}}}"#)
        #expect(v == .object([
            "n": .null, "t": .bool(true), "f": .bool(false), "i": .int(42), "neg": .int(-7), "d": .double(1.5),
            "s": .string("x"), "a": .array([.int(1), .string("two"), .array([.int(3)])]),
            "o": .object(["p": .object(["q": .int(0)])]),
        ]))
    }

    @Test func integersStayExactIntegers() throws {
        // 2^53 + 1 is not representable as a double.
        #expect(try parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("[9007199254740993]").encoded() == Array("[9007199254740993]".utf8))
    }

    @Test func fractionsAreDoubles() throws {
        #expect(try parse("0.2") == .double(0.2))
        #expect(try parse("-2.5e-3") == .double(-0.0025))
        #expect(try parse("0.2").encoded() == Array("0.2".utf8))
        // Too large for Int64: still a number.
        #expect(try parse("1e300") == .double(1e300))
        #expect(try parse("18446744073709551616").doubleValue == 18_446_744_073_709_551_616)
    }

    @Test func numericAccessors() {
        #expect(JSONValue.int(3).intValue == 3)
        #expect(JSONValue.double(16.0).intValue == 16)
        #expect(JSONValue.double(16.5).intValue == nil)
        #expect(JSONValue.int(3).doubleValue == 3)
        #expect(JSONValue.string("3").intValue == nil)
        #expect(JSONValue.bool(true).intValue == nil)
    }

    @Test func encodeParseRoundTrip() throws {
        let values: [JSONValue] = [
            .null, .bool(true), .int(0), .int(-123), .int(.max), .double(0.1), .double(-1.25e-7), .string(""),
            .string("quote \" backslash \\ newline \n tab \t"), .array([]), .object([:]),
            .object(["nested": .object(["deeper": .array([.object(["k": .string("v")]), .null])])]),
        ]
        for v in values {
            #expect(try JSONValue.parse(v.encoded()) == v, "\(v)")
        }
    }

    @Test func unicodeSurvives() throws {
        let text = "héllo wörld ✓ 日本語 😀 \u{0}"
        let v = JSONValue.object(["text": .string(text), "ключ": .string("значение")])
        #expect(try JSONValue.parse(v.encoded()) == v)
        #expect(try parse(#"{"e":"\u00e9\ud83d\ude00"}"#) == .object(["e": .string("é😀")]))
    }

    /// Quotes, backslashes and every control byte are escaped, in runs of plain text of any
    /// length and at either end; nothing else is touched.
    @Test func stringsAreEscapedExactly() throws {
        #expect(JSONValue.string("a\"b\\c\nd\re\tf\u{1}g\u{1F}").encoded() == Array(#""a\"b\\c\nd\re\tf\u0001g\u001f""#.utf8))
        #expect(JSONValue.string("").encoded() == Array(#""""#.utf8))
        #expect(JSONValue.string("\"").encoded() == Array(#""\"""#.utf8))
        #expect(JSONValue.string("plain ✓ text").encoded() == Array("\"plain ✓ text\"".utf8))
        let long = String(repeating: "word \"quoted\" \\ ", count: 200) + "\n" + String(repeating: "é", count: 300)
        var samples = [long, String(repeating: "x", count: 5000)]
        samples.append(String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self))
        for text in samples {
            #expect(try JSONValue.parse(JSONValue.string(text).encoded()) == .string(text))
        }
    }

    @Test func slashesAreNotEscaped() {
        #expect(JSONValue.string("https://a/b").encoded() == Array(#""https://a/b""#.utf8))
    }

    @Test func invalidJSONIsRejected() {
        expectInvalidJSON("")
        expectInvalidJSON("{")
        expectInvalidJSON(#"{"a":}"#)
        expectInvalidJSON("{'a':1}")
        expectInvalidJSON("nul")
        expectInvalidJSON(#"{"a":1} trailing"#)
    }

    @Test func invalidUTF8IsRejected() {
        do {
            _ = try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22])
            Issue.record("parsed invalid UTF-8")
        } catch {
            guard case .invalidJSON = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func subscriptReadsAndWritesObjects() {
        var v = JSONValue.object(["a": .int(1)])
        #expect(v["a"] == .int(1))
        #expect(v["b"] == nil)
        v["b"] = .string("x")
        v["a"] = nil
        #expect(v == .object(["b": .string("x")]))
        // Not an object: reads nil, writes nothing.
        var array = JSONValue.array([.int(1)])
        #expect(array["a"] == nil)
        array["a"] = .int(2)
        #expect(array == .array([.int(1)]))
    }

    @Test func typedAccessors() {
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.null.boolValue == nil)
        #expect(JSONValue.array([.null]).arrayValue == [.null])
        #expect(JSONValue.object([:]).objectValue == [:])
        #expect(JSONValue.string("x").objectValue == nil)
    }
}
