/// A direct recursive-descent JSON parser into ``JSONValue``: no `Decoder`, no errors thrown on
/// the normal path, strict about the grammar (no trailing commas, no control characters or
/// invalid escapes in strings) and about nesting depth.
struct JSONParser {
    /// Where and why parsing stopped.
    struct Failure: Error {
        var offset: Int
        var reason: String
    }

    /// Deeper nesting than this is refused (a stack-safety limit; no real request comes near it).
    static let maxDepth = 256
    private var depth = 0
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (p) throws(Failure) -> JSONValue in
            var parser = JSONParser(b: p)
            let v = try parser.value()
            parser.skip()
            guard parser.i == p.count else { throw Failure(offset: parser.i, reason: "unexpected data after the value") }
            return v
        }
    }

    private init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    private mutating func skip() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private func fail(_ reason: String = "unexpected character") -> Failure {
        Failure(offset: i, reason: i < b.count ? "\(reason) '\(Character(Unicode.Scalar(b[i])))'" : "unexpected end of input")
    }

    private mutating func value() throws(Failure) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw Failure(offset: i, reason: "nesting deeper than \(Self.maxDepth)") }
        skip()
        guard i < b.count else { throw fail() }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var o: [String: JSONValue] = [:]
            skip()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skip()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail() }
                let k = try string()
                skip()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail() }
                i += 1
                o[k] = try value()
                skip()
                guard i < b.count else { throw fail() }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                throw fail()
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JSONValue] = []
            skip()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                a.append(try value())
                skip()
                guard i < b.count else { throw fail() }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw fail()
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func literal(_ s: StaticString) throws(Failure) {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail() }
        for j in 0..<n where b[i + j] != s.utf8Start[j] { throw fail() }
        i += n
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = i
        var integral = true
        while i < b.count {
            let c = b[i]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") { i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") { integral = false; i += 1; continue }
            break
        }
        guard i > start else { throw fail() }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if integral, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw fail() }
        // 1e999 would read as infinity, which JSON cannot hold (it would be written back as null).
        guard d.isFinite else { throw Failure(offset: start, reason: "number out of range '\(text.prefix(40))'") }
        return .double(d)
    }

    private mutating func string() throws(Failure) -> String {
        i += 1  // opening quote
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") {
            guard b[i] >= 0x20 else { throw fail("control character in a string") }
            i += 1
        }
        guard i < b.count else { throw fail() }
        if b[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            guard let s = String(validating: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self) else { throw fail("invalid UTF-8") }
            return s
        }
        var out = Array(b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
                i += 1
                return s
            }
            if c != UInt8(ascii: "\\") {
                guard c >= 0x20 else { throw fail("control character in a string") }
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < b.count else { throw fail() }
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
                    let next = i
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = next  // no low surrogate: the high one stands alone (U+FFFD), the next escape is read by itself
                    }
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            default: throw fail("invalid escape")
            }
        }
        throw fail()
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= b.count else { throw fail() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            i += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail()
            }
            v = v << 4 | d
        }
        return v
    }
}

