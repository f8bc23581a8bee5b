/// A Double that survives JSON exactly: written as the shortest decimal string that reads back
/// to the same bits (Swift's `description`), read with `Double(_:)`. JSON numbers are avoided
/// because a reader may parse them through a different (inexact) path.
public struct ExactDouble: Sendable, Equatable, Codable, CustomStringConvertible {
    public var value: Double

    public init(_ value: Double) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = Double(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number in a string, got '\(s)'")
        }
        value = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value.description)
    }

    public var description: String { value.description }

    public static func == (a: ExactDouble, b: ExactDouble) -> Bool { a.value.bitPattern == b.value.bitPattern }
}

/// Packs numbers as little-endian bytes in base64, for the large weight arrays.
enum PackedArrays {
    static func base64(_ values: [UInt64]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for v in values { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        return Base64.encode(bytes)
    }

    static func base64(_ values: [UInt32]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        return Base64.encode(bytes)
    }

    static func uint64s(_ s: String) -> [UInt64]? {
        guard let b = Base64.decode(s), b.count % 8 == 0 else { return nil }
        return stride(from: 0, to: b.count, by: 8).map { i in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * UInt64($1)) }
        }
    }

    static func uint32s(_ s: String) -> [UInt32]? {
        guard let b = Base64.decode(s), b.count % 4 == 0 else { return nil }
        return stride(from: 0, to: b.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[i + $1]) << (8 * UInt32($1)) }
        }
    }
}

/// Standard base64 (RFC 4648, with padding), without Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [Int16] = {
        var r = [Int16](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { r[Int(c)] = Int16(i) }
        return r
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], 0x3D, 0x3D]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String) -> [UInt8]? {
        let chars = Array(s.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var v: UInt32 = 0
            var pad = 0
            for k in 0..<4 {
                let c = chars[i + k]
                if c == 0x3D, i + 4 == chars.count, k >= 2 {
                    pad += 1
                    v <<= 6
                    continue
                }
                guard pad == 0 else { return nil }
                let d = reverse[Int(c)]
                guard d >= 0 else { return nil }
                v = v << 6 | UInt32(d)
            }
            out.append(UInt8(v >> 16 & 0xff))
            if pad < 2 { out.append(UInt8(v >> 8 & 0xff)) }
            if pad < 1 { out.append(UInt8(v & 0xff)) }
            i += 4
        }
        return out
    }
}
