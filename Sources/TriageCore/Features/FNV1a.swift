/// 64-bit FNV-1a: a stable, seedless hash for feature hashing.
///
/// Swift's `hashValue` is randomised per process, so it cannot name a feature that a model
/// trained in one process looks up in another. FNV-1a is fixed by its two constants.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Folds one byte into a running hash.
    @inline(__always)
    public static func step(_ h: UInt64, _ byte: UInt8) -> UInt64 {
        (h ^ UInt64(byte)) &* prime
    }

    /// The hash of a byte sequence, starting from `basis`.
    @inlinable
    public static func hash(_ bytes: some Sequence<UInt8>, basis: UInt64 = offsetBasis) -> UInt64 {
        var h = basis
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash(_ s: String, basis: UInt64 = offsetBasis) -> UInt64 {
        hash(s.utf8, basis: basis)
    }

    /// Folds a 64-bit value into a running hash, byte by byte (little-endian).
    @inline(__always)
    public static func combine(_ h: UInt64, _ value: UInt64) -> UInt64 {
        var h = h
        var v = value
        for _ in 0..<8 {
            h = (h ^ (v & 0xff)) &* prime
            v >>= 8
        }
        return h
    }

    /// A final avalanche (from SplitMix64) so that low bits, used as bucket indices, depend on every input bit.
    @inline(__always)
    public static func finalize(_ h: UInt64) -> UInt64 {
        var z = h
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
