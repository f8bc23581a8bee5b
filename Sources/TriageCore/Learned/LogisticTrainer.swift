import Foundation

/// How the weights are fitted.
public enum Optimiser: String, Sendable, CaseIterable {
    /// Mini-batch Adam with a cosine step decay (``LogisticTrainer``).
    case adam
    /// Full-batch L-BFGS to the optimum of the penalised loss (``LBFGSTrainer``).
    case lbfgs
}

/// Settings of ``LogisticTrainer`` and ``LBFGSTrainer``.
public struct TrainingOptions: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    /// Adam's step size at the start; it decays to zero along a cosine.
    public var learningRate: Double
    /// L2 penalty `λ/2 · ‖w‖²` on every weight but the bias, added to the mean log-loss.
    public var l2: Double
    public var seed: UInt64
    public var optimiser: Optimiser

    public init(epochs: Int = 20, batchSize: Int = 128, learningRate: Double = 0.02, l2: Double = 1e-4, seed: UInt64 = 1,
                optimiser: Optimiser = .adam) {
        self.optimiser = optimiser
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.l2 = l2
        self.seed = seed
    }
}

/// Trains L2-regularised logistic regression with mini-batch Adam and a cosine step schedule.
///
/// Deterministic: the batch order comes from ``SplitMix64`` seeded with `options.seed`, and all
/// arithmetic runs in a fixed order on one thread, so the same data and options give the same
/// weights bit for bit.
public enum LogisticTrainer {
    /// One epoch's report for progress output.
    public struct Epoch: Sendable {
        public var epoch: Int
        public var epochs: Int
        /// Mean log-loss over the epoch's batches (before the penalty).
        public var loss: Double
        public var rows: Int
    }

    /// - Parameters:
    ///   - examples: extracted features, all with `settings`.
    ///   - targets: per example, the target probability in [0, 1] (0/1 labels, or soft targets).
    ///   - sampleWeights: per example weight, or nil for all 1.
    ///   - progress: called after every epoch.
    public static func train(_ examples: [FeatureVector], targets: [Double], sampleWeights: [Double]? = nil,
                             settings: FeatureSettings, options: TrainingOptions,
                             progress: ((Epoch) -> Void)? = nil) -> LearnedModel {
        precondition(examples.count == targets.count, "one target per example")
        let n = examples.count
        let d = settings.denseCount
        let h = settings.hashedCount
        var model = LearnedModel(features: settings)
        guard n > 0 else { return model }

        let (mean, scale) = standardisation(examples, width: d)
        model.denseMean = mean
        model.denseScale = scale
        let z: [[Double]] = examples.map { x in (0..<d).map { (x.dense[$0] - mean[$0]) / scale[$0] } }

        // Parameters: [dense weights | hashed weights | bias], with Adam moments alongside.
        let p = d + h + 1
        var w = [Double](repeating: 0, count: p)
        var m = [Double](repeating: 0, count: p)
        var v = [Double](repeating: 0, count: p)
        var g = [Double](repeating: 0, count: p)
        let biasIndex = d + h
        // Start the bias at the base rate's log-odds.
        let total = sampleWeights?.reduce(0, +) ?? Double(n)
        var rate = 0.0
        for i in 0..<n { rate += targets[i] * (sampleWeights?[i] ?? 1) }
        rate = min(max(rate / total, 1e-4), 1 - 1e-4)
        w[biasIndex] = log(rate / (1 - rate))

        let beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        let batch = max(1, min(options.batchSize, n))
        let stepsPerEpoch = (n + batch - 1) / batch
        let totalSteps = max(1, options.epochs * stepsPerEpoch)
        var rng = SplitMix64(seed: options.seed)
        var order = Array(0..<n)
        var step = 0
        var b1t = 1.0, b2t = 1.0

        for epoch in 0..<options.epochs {
            rng.shuffle(&order)
            var lossSum = 0.0
            var start = 0
            while start < n {
                let end = min(start + batch, n)
                // Gradient of the mean log-loss over the batch (weights normalised within the batch).
                var bw = 0.0
                for k in start..<end { bw += sampleWeights?[order[k]] ?? 1 }
                for j in 0..<p { g[j] = 0 }
                for k in start..<end {
                    let i = order[k]
                    let x = examples[i]
                    let zi = z[i]
                    var s = w[biasIndex]
                    for j in 0..<d { s += w[j] * zi[j] }
                    for t in x.indices.indices { s += w[d + Int(x.indices[t])] * x.values[t] }
                    let pr = sigmoid(s)
                    let y = targets[i]
                    let sw = (sampleWeights?[i] ?? 1) / bw
                    lossSum += (sampleWeights?[i] ?? 1) * logLoss(s, y)
                    let r = (pr - y) * sw
                    for j in 0..<d { g[j] += r * zi[j] }
                    for t in x.indices.indices { g[d + Int(x.indices[t])] += r * x.values[t] }
                    g[biasIndex] += r
                }
                step += 1
                b1t *= beta1
                b2t *= beta2
                let lr = options.learningRate * 0.5 * (1 + cos(Double.pi * Double(step - 1) / Double(totalSteps)))
                let c1 = 1 / (1 - b1t), c2 = 1 / (1 - b2t)
                w.withUnsafeMutableBufferPointer { w in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            g.withUnsafeBufferPointer { g in
                                for j in 0..<p {
                                    let gj = g[j] + (j == biasIndex ? 0 : options.l2 * w[j])
                                    m[j] = beta1 * m[j] + (1 - beta1) * gj
                                    v[j] = beta2 * v[j] + (1 - beta2) * gj * gj
                                    w[j] -= lr * (m[j] * c1) / ((v[j] * c2).squareRoot() + eps)
                                }
                            }
                        }
                    }
                }
                start = end
            }
            progress?(Epoch(epoch: epoch + 1, epochs: options.epochs, loss: lossSum / total, rows: n))
        }
        model.denseWeights = Array(w[0..<d])
        model.hashedWeights = Array(w[d..<(d + h)])
        model.bias = w[biasIndex]
        return model
    }

    /// The training mean and standard deviation (1 where constant) of each dense feature.
    static func standardisation(_ examples: [FeatureVector], width d: Int) -> (mean: [Double], scale: [Double]) {
        let n = Double(max(examples.count, 1))
        var mean = [Double](repeating: 0, count: d)
        var sq = [Double](repeating: 0, count: d)
        for x in examples { for j in 0..<d { mean[j] += x.dense[j] } }
        for j in 0..<d { mean[j] /= n }
        for x in examples { for j in 0..<d { let c = x.dense[j] - mean[j]; sq[j] += c * c } }
        return (mean, sq.map { s in let sd = (s / n).squareRoot(); return sd > 1e-12 ? sd : 1 })
    }

    /// Log-loss of log-odds `s` against target `y`, computed stably.
    static func logLoss(_ s: Double, _ y: Double) -> Double {
        // −y·log σ(s) − (1−y)·log(1−σ(s)) = log(1 + e^s) − y·s
        let softplus = s > 0 ? s + log1p(exp(-s)) : log1p(exp(s))
        return softplus - y * s
    }
}
