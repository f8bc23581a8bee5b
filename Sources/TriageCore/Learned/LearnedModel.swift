import Foundation

/// A trained logistic-regression model over ``FeatureExtractor`` features.
///
/// `score = σ(bias + Σ w_d · (x_d − mean_d) / scale_d + Σ w_h · x_h)`: the probability that the
/// query needs a stronger tier than the cheapest.
///
/// With ``choiceHeads``, a multiple-choice query (``FeatureExtractor/isMultipleChoice(_:)``, decided
/// from the text alone) is scored by two further heads instead: one predicts the strongest model's
/// quality, one the cheapest's, and `score = (1 + σ(strong) − σ(weak)) / 2`, the expected quality
/// gained on the scale of the `gain` target. Open-form queries keep the main weights.
public struct LearnedModel: Sendable, Equatable {
    public var features: FeatureSettings
    /// Per dense feature: the training mean and standard deviation used to standardise it.
    public var denseMean: [Double]
    public var denseScale: [Double]
    public var denseWeights: [Double]
    /// One weight per hashed bucket (`features.hashedCount` of them).
    public var hashedWeights: [Double]
    public var bias: Double
    /// The heads for multiple-choice queries, or nil (every query scored by the weights above).
    public var choiceHeads: ChoiceHeads?

    /// One linear head over the same standardised features as the main weights.
    public struct Head: Sendable, Equatable {
        public var denseWeights: [Double]
        public var hashedWeights: [Double]
        public var bias: Double

        public init(denseWeights: [Double], hashedWeights: [Double], bias: Double) {
            self.denseWeights = denseWeights
            self.hashedWeights = hashedWeights
            self.bias = bias
        }
    }

    /// Heads predicting the strongest (`strong`) and the cheapest (`weak`) model's quality.
    public struct ChoiceHeads: Sendable, Equatable {
        public var strong: Head
        public var weak: Head

        public init(strong: Head, weak: Head) {
            self.strong = strong
            self.weak = weak
        }
    }

    public init(features: FeatureSettings, denseMean: [Double], denseScale: [Double], denseWeights: [Double],
                hashedWeights: [Double], bias: Double) {
        self.features = features
        self.denseMean = denseMean
        self.denseScale = denseScale
        self.denseWeights = denseWeights
        self.hashedWeights = hashedWeights
        self.bias = bias
    }

    /// A model of all zeros (score 0.5 everywhere) for these settings.
    public init(features: FeatureSettings) {
        self.init(features: features,
                  denseMean: Array(repeating: 0, count: features.denseCount),
                  denseScale: Array(repeating: 1, count: features.denseCount),
                  denseWeights: Array(repeating: 0, count: features.denseCount),
                  hashedWeights: Array(repeating: 0, count: features.hashedCount), bias: 0)
    }

    /// Checks array sizes against the settings; a problem in words, or nil.
    public func problem() -> String? {
        if let p = features.problem() { return p }
        let d = features.denseCount
        if denseMean.count != d || denseScale.count != d || denseWeights.count != d {
            return "dense arrays must have \(d) entries (mean \(denseMean.count), scale \(denseScale.count), weights \(denseWeights.count))"
        }
        if hashedWeights.count != features.hashedCount {
            return "hashed weights must have \(features.hashedCount) entries (got \(hashedWeights.count))"
        }
        if denseScale.contains(where: { !($0 > 0) }) { return "dense scales must be positive" }
        if let c = choiceHeads {
            for (name, head) in [("strong", c.strong), ("weak", c.weak)] {
                if head.denseWeights.count != d || head.hashedWeights.count != features.hashedCount {
                    return "choice head \(name) must have \(d) dense and \(features.hashedCount) hashed weights"
                        + " (got \(head.denseWeights.count), \(head.hashedWeights.count))"
                }
            }
        }
        return nil
    }

    /// The main weights as a ``Head``.
    public var mainHead: Head { Head(denseWeights: denseWeights, hashedWeights: hashedWeights, bias: bias) }

    /// Whether `x` is scored by the choice heads.
    @inline(__always)
    func usesChoiceHeads(_ x: FeatureVector) -> Bool {
        choiceHeads != nil && FeatureExtractor.isMultipleChoice(dense: x.dense)
    }

    /// One head's log-odds for already-extracted features.
    func headMargin(_ head: Head, _ x: FeatureVector) -> Double {
        var z = head.bias
        for j in 0..<head.denseWeights.count { z += head.denseWeights[j] * (x.dense[j] - denseMean[j]) / denseScale[j] }
        for k in x.indices.indices { z += head.hashedWeights[Int(x.indices[k])] * x.values[k] }
        return z
    }

    /// The log-odds of the score for already-extracted features (the linear part, unless the
    /// choice heads score this query).
    public func margin(_ x: FeatureVector) -> Double {
        if let c = choiceHeads, usesChoiceHeads(x) {
            return logit(Self.headsScore(headMargin(c.strong, x), headMargin(c.weak, x)))
        }
        return headMargin(mainHead, x)
    }

    /// The score for already-extracted features.
    public func score(_ x: FeatureVector) -> Double {
        if let c = choiceHeads, usesChoiceHeads(x) { return Self.headsScore(headMargin(c.strong, x), headMargin(c.weak, x)) }
        return sigmoid(headMargin(mainHead, x))
    }

    /// `(1 + σ(strong) − σ(weak)) / 2`, in (0, 1).
    @inline(__always)
    static func headsScore(_ strong: Double, _ weak: Double) -> Double {
        (1 + sigmoid(strong) - sigmoid(weak)) / 2
    }

    /// The score of an input, in one scan without materialising the features: the serving path.
    public func score(_ input: FeatureInput) -> Double {
        let (z, heads) = serve(input)
        if let (s, w) = heads { return Self.headsScore(s, w) }
        return sigmoid(z)
    }

    /// The log-odds of the score of an input through the serving path.
    public func margin(_ input: FeatureInput) -> Double {
        let (z, heads) = serve(input)
        if let (s, w) = heads { return logit(Self.headsScore(s, w)) }
        return z
    }

    /// One scan: the main log-odds, or for a multiple-choice query with ``choiceHeads`` the two heads' log-odds.
    private func serve(_ input: FeatureInput) -> (main: Double, heads: (Double, Double)?) {
        let extractor = FeatureExtractor(settings: features)
        let mask = UInt64(features.hashedCount - 1)
        guard let c = choiceHeads else {
            return hashedWeights.withUnsafeBufferPointer { w in
                var sink = DotSink(weights: w, mask: mask)
                let stats = extractor.scan(input.query, hashing: true, sink: &sink)
                return (denseMargin(extractor, stats, input, denseWeights, bias, hashed: sink.total), nil)
            }
        }
        return hashedWeights.withUnsafeBufferPointer { w in
            c.strong.hashedWeights.withUnsafeBufferPointer { ws in
                c.weak.hashedWeights.withUnsafeBufferPointer { ww in
                    var sink = TripleDotSink(a: w, b: ws, c: ww, mask: mask)
                    let stats = extractor.scan(input.query, hashing: true, sink: &sink)
                    let (ta, tb, tc) = sink.totals
                    if FeatureExtractor.isMultipleChoice(stats) {
                        return (0, (denseMargin(extractor, stats, input, c.strong.denseWeights, c.strong.bias, hashed: tb),
                                    denseMargin(extractor, stats, input, c.weak.denseWeights, c.weak.bias, hashed: tc)))
                    }
                    return (denseMargin(extractor, stats, input, denseWeights, bias, hashed: ta), nil)
                }
            }
        }
    }

    /// A head's bias, its hashed sum and its dense block, the dense block in a stack buffer: same
    /// arithmetic as ``headMargin(_:_:)``.
    @inline(__always)
    private func denseMargin(_ extractor: FeatureExtractor, _ stats: TextStats, _ input: FeatureInput, _ weights: [Double],
                             _ bias: Double, hashed: Double) -> Double {
        var z = bias + hashed
        withUnsafeTemporaryAllocation(of: Double.self, capacity: features.denseCount) { d in
            d.initialize(repeating: 0)
            extractor.fillAll(d, stats, input)
            for j in 0..<weights.count { z += weights[j] * (d[j] - denseMean[j]) / denseScale[j] }
        }
        return z
    }

    /// The weights whose terms explain the score of `x`: the main ones, or for a query the choice
    /// heads score, the strong head's minus the weak head's (the direction each term pushes the score).
    func explainingWeights(_ x: FeatureVector) -> (dense: [Double], hashed: [Double]) {
        guard let c = choiceHeads, usesChoiceHeads(x) else { return (denseWeights, hashedWeights) }
        return (zip(c.strong.denseWeights, c.weak.denseWeights).map { $0 - $1 },
                zip(c.strong.hashedWeights, c.weak.hashedWeights).map { $0 - $1 })
    }

    /// The dense and hashed contributions that weighed most for an input, largest magnitude first.
    public func explain(_ input: FeatureInput, top: Int = 8) -> [(feature: String, contribution: Double)] {
        let x = FeatureExtractor(settings: features).extract(input)
        let (dw, hw) = explainingWeights(x)
        var parts: [(String, Double)] = []
        for (j, name) in features.denseNames.enumerated() {
            let c = dw[j] * (x.dense[j] - denseMean[j]) / denseScale[j]
            if c != 0 { parts.append((name, c)) }
        }
        var hashed = 0.0
        for k in x.indices.indices { hashed += hw[Int(x.indices[k])] * x.values[k] }
        parts.append(("hashed n-grams", hashed))
        parts.sort { abs($0.1) > abs($1.1) }
        return Array(parts.prefix(top))
    }
}

/// log(p / (1 − p)).
@inline(__always)
func logit(_ p: Double) -> Double { log(p) - log1p(-p) }

@inline(__always)
func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : { let e = exp(z); return e / (1 + e) }()
}
