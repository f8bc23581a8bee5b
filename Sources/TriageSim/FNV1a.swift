/// 64-bit FNV-1a: a stable hash (unlike `hashValue`, which is seeded per process).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            self.value ^= UInt64(byte)
            self.value &*= 0x0000_0100_0000_01b3
        }
    }

    static func hash(_ string: some StringProtocol) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(string.utf8)
        return hasher.value
    }
}

/// SplitMix64: a small deterministic generator seeded from an ``FNV1a`` hash.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
