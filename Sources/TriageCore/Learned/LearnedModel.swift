import Foundation

/// A trained logistic-regression model over ``FeatureExtractor`` features.
///
/// `score = σ(bias + Σ w_d · (x_d − mean_d) / scale_d + Σ w_h · x_h)`: the probability that the
/// query needs a stronger tier than the cheapest.
public struct LearnedModel: Sendable, Equatable {
    public var features: FeatureSettings
    /// Per dense feature: the training mean and standard deviation used to standardise it.
    public var denseMean: [Double]
    public var denseScale: [Double]
    public var denseWeights: [Double]
    /// One weight per hashed bucket (`features.hashedCount` of them).
    public var hashedWeights: [Double]
    public var bias: Double

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
        return nil
    }

    /// The linear part (log-odds) for already-extracted features.
    public func margin(_ x: FeatureVector) -> Double {
        var z = bias
        for j in 0..<denseWeights.count { z += denseWeights[j] * (x.dense[j] - denseMean[j]) / denseScale[j] }
        for k in x.indices.indices { z += hashedWeights[Int(x.indices[k])] * x.values[k] }
        return z
    }

    /// The score for already-extracted features.
    public func score(_ x: FeatureVector) -> Double { sigmoid(margin(x)) }

    /// The score of an input, in one scan without materialising the features: the serving path.
    public func score(_ input: FeatureInput) -> Double {
        sigmoid(margin(input))
    }

    /// The log-odds of an input through the serving path.
    public func margin(_ input: FeatureInput) -> Double {
        let extractor = FeatureExtractor(settings: features)
        return hashedWeights.withUnsafeBufferPointer { w in
            var sink = DotSink(weights: w, mask: UInt64(features.hashedCount - 1))
            let stats = extractor.scan(input.query, hashing: true, sink: &sink)
            var z = bias + sink.total
            // The dense block in a stack buffer: same arithmetic as `margin(_: FeatureVector)`.
            withUnsafeTemporaryAllocation(of: Double.self, capacity: features.denseCount) { d in
                d.initialize(repeating: 0)
                extractor.fillAll(d, stats, input)
                for j in 0..<denseWeights.count { z += denseWeights[j] * (d[j] - denseMean[j]) / denseScale[j] }
            }
            return z
        }
    }

    /// The dense and hashed contributions that weighed most for an input, largest magnitude first.
    public func explain(_ input: FeatureInput, top: Int = 8) -> [(feature: String, contribution: Double)] {
        let x = FeatureExtractor(settings: features).extract(input)
        var parts: [(String, Double)] = []
        for (j, name) in features.denseNames.enumerated() {
            let c = denseWeights[j] * (x.dense[j] - denseMean[j]) / denseScale[j]
            if c != 0 { parts.append((name, c)) }
        }
        var hashed = 0.0
        for k in x.indices.indices { hashed += hashedWeights[Int(x.indices[k])] * x.values[k] }
        parts.append(("hashed n-grams", hashed))
        parts.sort { abs($0.1) > abs($1.1) }
        return Array(parts.prefix(top))
    }
}

@inline(__always)
func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : { let e = exp(z); return e / (1 + e) }()
}
