import TriageCore

// Prototypes measured next to the current code, as evidence for the recommended hot-path changes.
// They are not used by Triage; when the real code adopts the idea, drop the prototype.

/// Returns its argument through an opaque call, so loop-invariant work is not hoisted out of a benchmark loop.
@inline(never)
func opaque<T>(_ value: T) -> T { value }

/// The rule classifier's decision computed on bytes: ASCII-lowercase once into a byte buffer,
/// keyword search with `memmem`-style byte comparison and a whole-word check, no Foundation.
/// Same outcome as `RuleClassifier` for ASCII prompts (verified by `ClassifyBench`).
struct ByteRuleClassifier: Classifier {
    let settings: RuleClassifier.Settings
    let keywords: [[UInt8]]
    let name = "rules-bytes"

    init(settings: RuleClassifier.Settings) {
        self.settings = settings
        self.keywords = settings.keywords.map { Array($0.lowercased().utf8) }
    }

    /// One pass over the text: its word count and its ASCII-lower-cased bytes.
    static func scan(_ text: String) -> (words: Int, lower: [UInt8]) {
        var words = 0
        var inWord = false
        var lower = [UInt8]()
        lower.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
            if space { inWord = false } else if !inWord { inWord = true; words += 1 }
            lower.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        return (words, lower)
    }

    func classify(_ request: ChatRequest) -> Classification {
        let (words, lower) = Self.scan(request.query)
        var keyword: String?
        for (i, k) in keywords.enumerated() where Self.containsWord(lower, k) {
            keyword = settings.keywords[i]
            break
        }
        var system = false
        var turns = 0
        for m in request.messages {
            if m.role == "system" || m.role == "developer" { system = true } else { turns += 1 }
        }
        let context = system || turns > 1
        let contextText = system ? "system prompt" : "earlier turns"
        let score = min(1, Double(words) / Double(settings.complexMinWords)) * 0.5 + (keyword != nil ? 0.25 : 0) + (context ? 0.25 : 0)
        if words > settings.complexMinWords {
            return Classification(complexity: .complex, score: score, reason: "long query (\(words) words > \(settings.complexMinWords))")
        }
        if let keyword, context {
            return Classification(complexity: .complex, score: score, reason: "keyword '\(keyword)' with context (\(contextText))")
        }
        if words < settings.simpleMaxWords, keyword == nil, !context {
            return Classification(complexity: .simple, score: score, reason: "short query (\(words) words < \(settings.simpleMaxWords)), no keyword, no context")
        }
        var why: [String] = []
        if words >= settings.simpleMaxWords { why.append("\(words) words") }
        if let keyword { why.append("keyword '\(keyword)'") }
        if context { why.append(contextText) }
        return Classification(complexity: .medium, score: score, reason: "medium (\(why.joined(separator: ", ")))")
    }

    /// Whole-word occurrence of `k` in `text` (ASCII letters as word characters).
    static func containsWord(_ text: [UInt8], _ k: [UInt8]) -> Bool {
        guard let first = k.first, k.count <= text.count else { return false }
        return text.withUnsafeBufferPointer { t in
            k.withUnsafeBufferPointer { kw in
                var i = 0
                let last = t.count - kw.count
                while i <= last {
                    if t[i] == first {
                        var j = 1
                        while j < kw.count && t[i + j] == kw[j] { j += 1 }
                        if j == kw.count {
                            let before = i == 0 || !isLetter(t[i - 1])
                            let after = i + kw.count == t.count || !isLetter(t[i + kw.count])
                            if before && after { return true }
                        }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b >= 0x80 }
}

/// A direct recursive-descent JSON parser to `JSONValue`: no `Decoder`, no thrown errors on the
/// normal path (today's `JSONValue.init(from:)` tries Bool, Int64, Double, String and Array, each
/// failing with a thrown `DecodingError`, before it reaches an object).
struct ByteJSONParser {
    struct Failure: Error {}
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { p in
            var parser = ByteJSONParser(b: p)
            let v = try parser.value()
            parser.skip()
            guard parser.i == p.count else { throw Failure() }
            return v
        }
    }

    private init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    private mutating func skip() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func value() throws -> JSONValue {
        skip()
        guard i < b.count else { throw Failure() }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var o: [String: JSONValue] = [:]
            skip()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skip()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw Failure() }
                let k = try string()
                skip()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw Failure() }
                i += 1
                o[k] = try value()
                skip()
                guard i < b.count else { throw Failure() }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                throw Failure()
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JSONValue] = []
            skip()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                a.append(try value())
                skip()
                guard i < b.count else { throw Failure() }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw Failure()
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func literal(_ s: StaticString) throws {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { throw Failure() }
        for j in 0..<n where b[i + j] != s.utf8Start[j] { throw Failure() }
        i += n
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        var integral = true
        while i < b.count {
            let c = b[i]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") { i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") { integral = false; i += 1; continue }
            break
        }
        guard i > start else { throw Failure() }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if integral, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw Failure() }
        return .double(d)
    }

    private mutating func string() throws -> String {
        i += 1  // opening quote
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < b.count else { throw Failure() }
        if b[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { throw Failure() }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default: out.append(e)
            }
        }
        throw Failure()
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw Failure() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            i += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw Failure()
            }
            v = v << 4 | d
        }
        return v
    }
}

/// A direct JSON writer for `JSONValue` into a byte array (no `Encoder`).
enum ByteJSONWriter {
    static func encode(_ v: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(v, into: &out)
        return out
    }

    static func write(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let x): out.append(contentsOf: (x ? "true" : "false").utf8)
        case .int(let x): out.append(contentsOf: String(x).utf8)
        case .double(let x): out.append(contentsOf: "\(x)".utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, e) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, e) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
