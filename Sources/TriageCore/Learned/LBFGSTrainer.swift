import Foundation

/// Fits the same L2-regularised logistic regression as ``LogisticTrainer``, to its optimum, with
/// full-batch L-BFGS (memory 10, backtracking Armijo line search).
///
/// Mini-batch Adam scales every weight's step by its own gradient history, so a hashed bucket seen
/// in a handful of training rows moves as fast as a common one and fits those rows' noise; the
/// optimum of the penalised loss does not depend on such step sizes, and on held-out subjects it
/// routes better. Deterministic: fixed-order sums on one thread, no randomness.
public enum LBFGSTrainer {
    /// - Parameters:
    ///   - examples: extracted features, all with `settings`.
    ///   - targets: per example, the target probability in [0, 1].
    ///   - sampleWeights: per example weight, or nil for all 1.
    ///   - options: `l2` is the penalty; `epochs` is read as the most iterations / 10 (so the
    ///     default 20 allows 200 iterations).
    ///   - progress: called after every iteration, with the objective as `loss`.
    public static func train(_ examples: [FeatureVector], targets: [Double], sampleWeights: [Double]? = nil,
                             settings: FeatureSettings, options: TrainingOptions,
                             progress: ((LogisticTrainer.Epoch) -> Void)? = nil) -> LearnedModel {
        precondition(examples.count == targets.count, "one target per example")
        let n = examples.count
        let d = settings.denseCount
        let h = settings.hashedCount
        var model = LearnedModel(features: settings)
        guard n > 0 else { return model }

        let (mean, scale) = LogisticTrainer.standardisation(examples, width: d)
        model.denseMean = mean
        model.denseScale = scale
        // Standardised dense block, row-major.
        var z = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (examples[i].dense[j] - mean[j]) / scale[j] } }
        let sw = sampleWeights ?? [Double](repeating: 1, count: n)
        let total = sw.reduce(0, +)

        let p = d + h + 1
        let biasIndex = d + h
        var w = [Double](repeating: 0, count: p)
        var rate = 0.0
        for i in 0..<n { rate += targets[i] * sw[i] }
        rate = min(max(rate / total, 1e-4), 1 - 1e-4)
        w[biasIndex] = log(rate / (1 - rate))

        /// Objective and gradient at `w`.
        func evaluate(_ w: [Double], _ g: inout [Double]) -> Double {
            for j in 0..<p { g[j] = 0 }
            var f = 0.0
            for i in 0..<n {
                let x = examples[i]
                var s = w[biasIndex]
                for j in 0..<d { s += w[j] * z[i * d + j] }
                for t in x.indices.indices { s += w[d + Int(x.indices[t])] * x.values[t] }
                let c = sw[i] / total
                f += c * LogisticTrainer.logLoss(s, targets[i])
                let r = (sigmoid(s) - targets[i]) * c
                for j in 0..<d { g[j] += r * z[i * d + j] }
                for t in x.indices.indices { g[d + Int(x.indices[t])] += r * x.values[t] }
                g[biasIndex] += r
            }
            for j in 0..<biasIndex {
                f += 0.5 * options.l2 * w[j] * w[j]
                g[j] += options.l2 * w[j]
            }
            return f
        }

        let memory = 10
        let maxIterations = max(1, options.epochs * 10)
        var sHist: [[Double]] = [], yHist: [[Double]] = [], rhoHist: [Double] = []
        var g = [Double](repeating: 0, count: p)
        var f = evaluate(w, &g)
        var gNew = g
        var direction = [Double](repeating: 0, count: p)
        var trial = w
        for iteration in 0..<maxIterations {
            // Two-loop recursion: direction = −H·g.
            for j in 0..<p { direction[j] = -g[j] }
            var alpha = [Double](repeating: 0, count: sHist.count)
            for k in stride(from: sHist.count - 1, through: 0, by: -1) {
                alpha[k] = rhoHist[k] * dot(sHist[k], direction)
                axpy(-alpha[k], yHist[k], &direction)
            }
            if let s = sHist.last, let y = yHist.last {
                let gamma = dot(s, y) / dot(y, y)
                for j in 0..<p { direction[j] *= gamma }
            } else {
                let norm = dot(g, g).squareRoot()
                if norm > 0 { for j in 0..<p { direction[j] /= norm } }
            }
            for k in 0..<sHist.count {
                let beta = rhoHist[k] * dot(yHist[k], direction)
                axpy(alpha[k] - beta, sHist[k], &direction)
            }
            var slope = dot(g, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                sHist.removeAll(); yHist.removeAll(); rhoHist.removeAll()
                for j in 0..<p { direction[j] = -g[j] }
                slope = dot(g, direction)
            }
            // Backtracking line search (Armijo).
            var step = 1.0
            var fNew = f
            var accepted = false
            for _ in 0..<30 {
                for j in 0..<p { trial[j] = w[j] + step * direction[j] }
                fNew = evaluate(trial, &gNew)
                if fNew <= f + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { break }
            var sVec = [Double](repeating: 0, count: p), yVec = sVec
            for j in 0..<p { sVec[j] = trial[j] - w[j]; yVec[j] = gNew[j] - g[j] }
            let sy = dot(sVec, yVec)
            if sy > 1e-12 {
                sHist.append(sVec); yHist.append(yVec); rhoHist.append(1 / sy)
                if sHist.count > memory { sHist.removeFirst(); yHist.removeFirst(); rhoHist.removeFirst() }
            }
            let decrease = f - fNew
            swap(&w, &trial)
            swap(&g, &gNew)
            f = fNew
            progress?(LogisticTrainer.Epoch(epoch: iteration + 1, epochs: maxIterations, loss: f, rows: n))
            if decrease <= 1e-10 * max(1, abs(f)) || dot(g, g).squareRoot() <= 1e-6 { break }
        }
        model.denseWeights = Array(w[0..<d])
        model.hashedWeights = Array(w[d..<(d + h)])
        model.bias = w[biasIndex]
        return model
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for j in a.indices { s += a[j] * b[j] }
        return s
    }

    private static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for j in x.indices { y[j] += a * x[j] }
    }
}
