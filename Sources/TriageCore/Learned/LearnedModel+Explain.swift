/// What weighed in one learned score, feature by feature (`triage route`).
extension LearnedModel {
    /// One feature's part in a score: weight × value, in log-odds (for a query the choice heads
    /// score, the strong head's term minus the weak head's).
    public struct Contribution: Sendable, Equatable {
        /// A dense feature's name, `word "x"`, `bigram "x y"`, `chars of "x"` or `other char n-grams`.
        public var feature: String
        public var contribution: Double
    }

    /// The features that weighed most for an input, largest magnitude first. Hashed buckets are
    /// named by the query's words and word pairs that fall in them (a word's own character
    /// n-grams are summed as `chars of "word"`); buckets no word explains are `other char n-grams`.
    public func contributions(_ input: FeatureInput, top: Int = 10) -> [Contribution] {
        let extractor = FeatureExtractor(settings: features)
        let x = extractor.extract(input)
        let (dw, hw) = explainingWeights(x)
        var byName: [String: Double] = [:]
        for (j, name) in features.denseNames.enumerated() {
            let c = dw[j] * (x.dense[j] - denseMean[j]) / denseScale[j]
            if c != 0 { byName[name, default: 0] += c }
        }
        let labels = bucketLabels(input.query, extractor)
        for k in x.indices.indices {
            let idx = Int(x.indices[k])
            let c = hw[idx] * x.values[k]
            if c != 0 { byName[labels[idx] ?? "other char n-grams", default: 0] += c }
        }
        return byName.map { Contribution(feature: $0.key, contribution: $0.value) }
            .sorted { abs($0.contribution) != abs($1.contribution) ? abs($0.contribution) > abs($1.contribution) : $0.feature < $1.feature }
            .prefix(top).map { $0 }
    }

    /// Bucket → the name of what lands there, found by scanning each word and word pair alone
    /// (a word's hashes do not depend on its neighbours; a pair's only on the two words).
    private func bucketLabels(_ query: String, _ extractor: FeatureExtractor) -> [Int: String] {
        let mask = UInt64(features.hashedCount - 1)
        var labels: [Int: (String, Int)] = [:]  // name and priority (lower wins)
        func label(_ text: String, kinds: [HashKind: (String, Int)]) {
            var sink = RecordingSink()
            _ = extractor.scan(text, hashing: true, sink: &sink)
            for (kind, hash) in sink.seen {
                guard let (name, rank) = kinds[kind] else { continue }
                let idx = hashedSlot(hash, kind, mask: mask).index
                if let have = labels[idx], have.1 <= rank { continue }
                labels[idx] = (name, rank)
            }
        }
        let words = query.prefix(features.maxHashedBytes).split(whereSeparator: \.isWhitespace).map(String.init)
        func shown(_ w: String) -> String {
            let t = w.lowercased().drop { !$0.isLetter && !$0.isNumber }
            let u = String(t.reversed().drop { !$0.isLetter && !$0.isNumber }.reversed())
            return u.isEmpty ? w : u
        }
        for w in Set(words) {
            label(w, kinds: [.wordUnigram: ("word \"\(shown(w))\"", 0), .charNGram: ("chars of \"\(shown(w))\"", 2)])
        }
        for (a, b) in zip(words, words.dropFirst()) {
            label(a + " " + b, kinds: [.wordBigram: ("bigram \"\(shown(a)) \(shown(b))\"", 1)])
        }
        return labels.mapValues(\.0)
    }
}

/// Keeps every hashed feature of a scan.
struct RecordingSink: HashSink {
    var seen: [(HashKind, UInt64)] = []
    mutating func add(_ kind: HashKind, _ hash: UInt64) { seen.append((kind, hash)) }
}
