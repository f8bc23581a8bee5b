/// The kinds of hashed feature. Each kind hashes into the same buckets with its own seed and is
/// normalised on its own: every occurrence adds `±1 / sqrt(n)`, `n` being the number of
/// occurrences of that kind in the query, so long and short prompts weigh alike.
public enum HashKind: Int, Sendable, CaseIterable {
    case wordUnigram, wordBigram, charNGram

    @inline(__always)
    var seed: UInt64 {
        switch self {
        case .wordUnigram: 0x9e37_79b9_7f4a_7c15
        case .wordBigram: 0xc2b2_ae3d_27d4_eb4f
        case .charNGram: 0x1656_67b1_9e37_79f9
        }
    }
}

/// Receives hashed features during a scan.
protocol HashSink {
    mutating func add(_ kind: HashKind, _ hash: UInt64)
    /// Many features of one kind at once.
    mutating func add(_ kind: HashKind, _ hashes: UnsafeBufferPointer<UInt64>)
}

extension HashSink {
    mutating func add(_ kind: HashKind, _ hashes: UnsafeBufferPointer<UInt64>) {
        for h in hashes { add(kind, h) }
    }
}

/// Maps a feature hash to its bucket and sign.
@inline(__always)
func hashedSlot(_ hash: UInt64, _ kind: HashKind, mask: UInt64) -> (index: Int, sign: Double) {
    let z = FNV1a.finalize(hash ^ kind.seed)
    return (Int(truncatingIfNeeded: z & mask), (z >> 63) == 0 ? 1 : -1)
}

/// A sink that ignores everything (counts only).
struct NullSink: HashSink {
    @inline(__always) mutating func add(_ kind: HashKind, _ hash: UInt64) {}
}

/// Accumulates the dot product with a weight vector without materialising the features.
/// (Plain fields rather than a SIMD vector: dynamic SIMD subscripts spill the vector to memory.)
struct DotSink: HashSink {
    let weights: UnsafeBufferPointer<Double>
    let mask: UInt64
    var unigramSum = 0.0, bigramSum = 0.0, gramSum = 0.0
    var unigrams = 0, bigrams = 0, grams = 0

    @inline(__always)
    mutating func add(_ kind: HashKind, _ hash: UInt64) {
        let (i, s) = hashedSlot(hash, kind, mask: mask)
        let w = s * weights[i]
        switch kind {
        case .wordUnigram: unigramSum += w; unigrams += 1
        case .wordBigram: bigramSum += w; bigrams += 1
        case .charNGram: gramSum += w; grams += 1
        }
    }

    /// A batch with four independent sums, so that weight lookups overlap.
    mutating func add(_ kind: HashKind, _ hashes: UnsafeBufferPointer<UInt64>) {
        var a = 0.0, b = 0.0, c = 0.0, d = 0.0
        let n = hashes.count
        var k = 0
        while k + 4 <= n {
            let (i0, s0) = hashedSlot(hashes[k], kind, mask: mask)
            let (i1, s1) = hashedSlot(hashes[k + 1], kind, mask: mask)
            let (i2, s2) = hashedSlot(hashes[k + 2], kind, mask: mask)
            let (i3, s3) = hashedSlot(hashes[k + 3], kind, mask: mask)
            a += s0 * weights[i0]
            b += s1 * weights[i1]
            c += s2 * weights[i2]
            d += s3 * weights[i3]
            k += 4
        }
        while k < n {
            let (i, s) = hashedSlot(hashes[k], kind, mask: mask)
            a += s * weights[i]
            k += 1
        }
        let sum = (a + b) + (c + d)
        switch kind {
        case .wordUnigram: unigramSum += sum; unigrams += n
        case .wordBigram: bigramSum += sum; bigrams += n
        case .charNGram: gramSum += sum; grams += n
        }
    }

    /// Σ over kinds of (Σ sign × weight) / sqrt(occurrences).
    var total: Double {
        var t = 0.0
        if unigrams > 0 { t += unigramSum / Double(unigrams).squareRoot() }
        if bigrams > 0 { t += bigramSum / Double(bigrams).squareRoot() }
        if grams > 0 { t += gramSum / Double(grams).squareRoot() }
        return t
    }
}

/// ``DotSink`` against three weight vectors at once (a model's main weights and its two choice
/// heads): one hash per feature, three lookups.
struct TripleDotSink: HashSink {
    let a: UnsafeBufferPointer<Double>, b: UnsafeBufferPointer<Double>, c: UnsafeBufferPointer<Double>
    let mask: UInt64
    /// Per kind (unigram, bigram, char n-gram): the sums against a, b and c, and the occurrences.
    var sa = SIMD4<Double>(), sb = SIMD4<Double>(), sc = SIMD4<Double>()
    var unigrams = 0, bigrams = 0, grams = 0

    init(a: UnsafeBufferPointer<Double>, b: UnsafeBufferPointer<Double>, c: UnsafeBufferPointer<Double>, mask: UInt64) {
        self.a = a
        self.b = b
        self.c = c
        self.mask = mask
    }

    @inline(__always)
    mutating func add(_ kind: HashKind, _ hash: UInt64) {
        let (i, s) = hashedSlot(hash, kind, mask: mask)
        let k = kind.rawValue
        sa[k] += s * a[i]
        sb[k] += s * b[i]
        sc[k] += s * c[i]
        switch kind {
        case .wordUnigram: unigrams += 1
        case .wordBigram: bigrams += 1
        case .charNGram: grams += 1
        }
    }

    /// A batch summed in ``DotSink``'s order (four partial sums per vector), so that each vector's
    /// total is bit for bit what a ``DotSink`` over it gives.
    mutating func add(_ kind: HashKind, _ hashes: UnsafeBufferPointer<UInt64>) {
        var x = SIMD4<Double>(), y = SIMD4<Double>(), z = SIMD4<Double>()
        let n = hashes.count
        var k = 0
        while k + 4 <= n {
            for lane in 0..<4 {
                let (i, s) = hashedSlot(hashes[k + lane], kind, mask: mask)
                x[lane] += s * a[i]
                y[lane] += s * b[i]
                z[lane] += s * c[i]
            }
            k += 4
        }
        while k < n {
            let (i, s) = hashedSlot(hashes[k], kind, mask: mask)
            x[0] += s * a[i]
            y[0] += s * b[i]
            z[0] += s * c[i]
            k += 1
        }
        let kk = kind.rawValue
        sa[kk] += (x[0] + x[1]) + (x[2] + x[3])
        sb[kk] += (y[0] + y[1]) + (y[2] + y[3])
        sc[kk] += (z[0] + z[1]) + (z[2] + z[3])
        switch kind {
        case .wordUnigram: unigrams += hashes.count
        case .wordBigram: bigrams += hashes.count
        case .charNGram: grams += hashes.count
        }
    }

    /// Each vector's Σ over kinds of (Σ sign × weight) / sqrt(occurrences), as ``DotSink/total``.
    var totals: (Double, Double, Double) {
        func total(_ v: SIMD4<Double>) -> Double {
            var t = 0.0
            if unigrams > 0 { t += v[0] / Double(unigrams).squareRoot() }
            if bigrams > 0 { t += v[1] / Double(bigrams).squareRoot() }
            if grams > 0 { t += v[2] / Double(grams).squareRoot() }
            return t
        }
        return (total(sa), total(sb), total(sc))
    }
}

/// Collects the hashed features as a sparse vector.
struct CollectSink: HashSink {
    let mask: UInt64
    var indices: [Int32] = []
    var values: [Double] = []
    var kinds: [UInt8] = []
    var counts = SIMD4<Double>()

    init(mask: UInt64) {
        self.mask = mask
        indices.reserveCapacity(1024)
        values.reserveCapacity(1024)
        kinds.reserveCapacity(1024)
    }

    mutating func add(_ kind: HashKind, _ hash: UInt64) {
        let (i, s) = hashedSlot(hash, kind, mask: mask)
        indices.append(Int32(i))
        values.append(s)
        kinds.append(UInt8(kind.rawValue))
        counts[kind.rawValue] += 1
    }

    /// Scales each occurrence by its kind's norm, sorts by bucket and merges duplicates.
    func sparse() -> (indices: [Int32], values: [Double]) {
        var pairs: [(Int32, Double)] = []
        pairs.reserveCapacity(indices.count)
        for j in indices.indices {
            let n = counts[Int(kinds[j])]
            pairs.append((indices[j], values[j] / n.squareRoot()))
        }
        pairs.sort { $0.0 < $1.0 }
        var outI: [Int32] = []
        var outV: [Double] = []
        outI.reserveCapacity(pairs.count)
        outV.reserveCapacity(pairs.count)
        for (i, v) in pairs {
            if let last = outI.last, last == i {
                outV[outV.count - 1] += v
            } else {
                outI.append(i)
                outV.append(v)
            }
        }
        return (outI, outV)
    }
}
