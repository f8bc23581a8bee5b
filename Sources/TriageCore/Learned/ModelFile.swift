import Foundation

/// A learned model as a versioned, self-describing JSON file: feature settings, weights, bias,
/// thresholds, a summary of its training data and its held-out metrics.
///
/// Every Double survives ``encode()`` / ``decode(_:)`` bit for bit: scalars as exact decimal
/// strings (``ExactDouble``), the hashed weights as base64 of little-endian IEEE-754 bit
/// patterns, sparse (only non-zero buckets). Encoding is deterministic (sorted keys), so the
/// same model always gives the same bytes, ready to be stored as a blob and versioned.
///
/// ```
/// {
///   "format": "triage-model", "format_version": 1, "kind": "logistic-regression", "name": "...",
///   "features": { "hash_bits": 18, "word_unigrams": true, ..., "dense_names": ["tokens", ...] },
///   "dense": { "mean": ["0.5", ...], "scale": [...], "weights": [...] },
///   "hashed": { "count": 262144, "nonzero": 91234, "indices_u32le": "<base64>", "weights_f64le": "<base64>" },
///   "bias": "-1.73", "thresholds": { "simple_below": "...", "complex_from": "...", "how": "..." },
///   "training": { ... }, "metrics": { "mmlu": { "apgr": "...", ... } },
///   "choice_heads": { "strong": { "dense": [...], "hashed": { ... }, "bias": "..." }, "weak": { ... } }
/// }
/// ```
///
/// `choice_heads` (``LearnedModel/ChoiceHeads``) came with format version 2: a file with them says
/// `"format_version": 2`, so that a build which cannot score them refuses the file rather than
/// scoring multiple-choice queries with the main weights; a file without them is written as version 1,
/// as before, and every version-1 file still loads.
public struct ModelFile: Sendable, Equatable {
    public static let format = "triage-model"
    /// The newest version this build reads and writes.
    public static let formatVersion = 2

    public var name: String
    public var model: LearnedModel
    public var thresholds: ScoreThresholds
    /// How the thresholds were chosen, in words.
    public var thresholdsHow: String
    public var training: TrainingSummary
    /// Held-out metrics per benchmark (source).
    public var metrics: [String: ModelMetrics]

    public init(name: String, model: LearnedModel, thresholds: ScoreThresholds, thresholdsHow: String,
                training: TrainingSummary, metrics: [String: ModelMetrics]) {
        self.name = name
        self.model = model
        self.thresholds = thresholds
        self.thresholdsHow = thresholdsHow
        self.training = training
        self.metrics = metrics
    }

    public static func == (a: ModelFile, b: ModelFile) -> Bool {
        a.name == b.name && a.thresholdsHow == b.thresholdsHow && a.training == b.training && a.metrics == b.metrics
            && a.model.features == b.model.features
            && bits(a.model.denseMean) == bits(b.model.denseMean) && bits(a.model.denseScale) == bits(b.model.denseScale)
            && bits(a.model.denseWeights) == bits(b.model.denseWeights)
            && bits(a.model.hashedWeights) == bits(b.model.hashedWeights)
            && a.model.bias.bitPattern == b.model.bias.bitPattern
            && a.thresholds.simpleBelow.bitPattern == b.thresholds.simpleBelow.bitPattern
            && a.thresholds.complexFrom.bitPattern == b.thresholds.complexFrom.bitPattern
            && a.model.choiceHeads.map(headBits) == b.model.choiceHeads.map(headBits)
    }

    private static func headBits(_ c: LearnedModel.ChoiceHeads) -> [UInt64] {
        [c.strong, c.weak].flatMap { bits($0.denseWeights) + bits($0.hashedWeights) + [$0.bias.bitPattern] }
    }

    private static func bits(_ a: [Double]) -> [UInt64] { a.map(\.bitPattern) }

    /// The file's bytes: pretty-printed JSON with sorted keys.
    public func encode() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding cannot fail: every field is a string, integer, bool, array or object.
        return (try? [UInt8](e.encode(wire))) ?? []
    }

    /// Reads a model file.
    /// - Throws: ``ModelFileError`` naming what is wrong.
    public static func decode(_ bytes: some Collection<UInt8>) throws(ModelFileError) -> ModelFile {
        let w: Wire
        do {
            w = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        } catch {
            throw .invalid("not a model file: \(error)")
        }
        guard w.format == format else { throw .invalid("format is '\(w.format)', expected '\(format)'") }
        guard w.formatVersion <= formatVersion else {
            throw .unsupportedVersion(w.formatVersion, supported: formatVersion)
        }
        guard w.kind == "logistic-regression" else { throw .invalid("unknown model kind '\(w.kind)'") }
        let settings = w.features.settings
        guard w.features.denseNames == settings.denseNames else {
            throw .invalid("dense features differ from this build's (\(w.features.denseNames.count) in the file, \(settings.denseCount) here)")
        }
        if let p = settings.problem() { throw .invalid("features: \(p)") }
        guard w.hashed.count == settings.hashedCount else {
            throw .invalid("hashed.count \(w.hashed.count) does not match hash_bits \(settings.hashBits)")
        }
        let hashed = try w.hashed.unpacked(settings.hashedCount, "hashed")
        var model = LearnedModel(features: settings, denseMean: w.dense.mean.map(\.value), denseScale: w.dense.scale.map(\.value),
                                 denseWeights: w.dense.weights.map(\.value), hashedWeights: hashed, bias: w.bias.value)
        if let c = w.choiceHeads {
            guard w.formatVersion >= 2 else { throw .invalid("choice_heads needs format_version 2 (the file says \(w.formatVersion))") }
            model.choiceHeads = .init(strong: try c.strong.head(settings.hashedCount, "choice_heads.strong"),
                                      weak: try c.weak.head(settings.hashedCount, "choice_heads.weak"))
        }
        if let p = model.problem() { throw .invalid(p) }
        return ModelFile(name: w.name, model: model,
                         thresholds: ScoreThresholds(simpleBelow: w.thresholds.simpleBelow.value,
                                                     complexFrom: w.thresholds.complexFrom.value),
                         thresholdsHow: w.thresholds.how, training: w.training, metrics: w.metrics)
    }

    private var wire: Wire {
        Wire(format: Self.format, formatVersion: model.choiceHeads == nil ? 1 : 2, kind: "logistic-regression", name: name,
                    features: .init(settings: model.features),
                    dense: .init(mean: model.denseMean.map(ExactDouble.init), scale: model.denseScale.map(ExactDouble.init),
                                 weights: model.denseWeights.map(ExactDouble.init)),
                    hashed: .init(model.hashedWeights),
                    bias: ExactDouble(model.bias),
                    thresholds: .init(simpleBelow: ExactDouble(thresholds.simpleBelow),
                                      complexFrom: ExactDouble(thresholds.complexFrom), how: thresholdsHow),
                    training: training, metrics: metrics,
                    choiceHeads: model.choiceHeads.map { .init(strong: .init($0.strong), weak: .init($0.weak)) })
    }

    private struct Wire: Codable {
        var format: String
        var formatVersion: Int
        var kind: String
        var name: String
        var features: Features
        var dense: Dense
        var hashed: Hashed
        var bias: ExactDouble
        var thresholds: Thresholds
        var training: TrainingSummary
        var metrics: [String: ModelMetrics]
        /// Absent before format version 2 and in files without choice heads.
        var choiceHeads: ChoiceHeads?

        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", kind, name, features, dense, hashed, bias, thresholds, training, metrics
            case choiceHeads = "choice_heads"
        }

        struct ChoiceHeads: Codable {
            var strong: Head
            var weak: Head
        }

        struct Head: Codable {
            var dense: [ExactDouble]
            var hashed: Hashed
            var bias: ExactDouble

            init(_ h: LearnedModel.Head) {
                dense = h.denseWeights.map(ExactDouble.init)
                hashed = Hashed(h.hashedWeights)
                bias = ExactDouble(h.bias)
            }

            func head(_ count: Int, _ name: String) throws(ModelFileError) -> LearnedModel.Head {
                LearnedModel.Head(denseWeights: dense.map(\.value), hashedWeights: try hashed.unpacked(count, name + ".hashed"),
                                  bias: bias.value)
            }
        }

        struct Features: Codable {
            var hashBits: Int
            var wordUnigrams: Bool
            var wordBigrams: Bool
            var charNGramMin: Int
            var charNGramMax: Int
            var maxHashedBytes: Int
            /// Absent in files written before it existed: false.
            var shapeConjunction: Bool?
            var denseNames: [String]

            enum CodingKeys: String, CodingKey {
                case hashBits = "hash_bits", wordUnigrams = "word_unigrams", wordBigrams = "word_bigrams"
                case charNGramMin = "char_ngram_min", charNGramMax = "char_ngram_max"
                case maxHashedBytes = "max_hashed_bytes", shapeConjunction = "shape_conjunction", denseNames = "dense_names"
            }

            init(settings s: FeatureSettings) {
                hashBits = s.hashBits
                wordUnigrams = s.wordUnigrams
                wordBigrams = s.wordBigrams
                charNGramMin = s.charNGramMin
                charNGramMax = s.charNGramMax
                maxHashedBytes = s.maxHashedBytes
                shapeConjunction = s.shapeConjunction
                denseNames = s.denseNames
            }

            var settings: FeatureSettings {
                FeatureSettings(hashBits: hashBits, wordUnigrams: wordUnigrams, wordBigrams: wordBigrams,
                                charNGramMin: charNGramMin, charNGramMax: charNGramMax, maxHashedBytes: maxHashedBytes,
                                shapeConjunction: shapeConjunction ?? false)
            }
        }

        struct Dense: Codable {
            var mean: [ExactDouble]
            var scale: [ExactDouble]
            var weights: [ExactDouble]
        }

        struct Hashed: Codable {
            var count: Int
            var nonzero: Int
            var indices: String
            var weights: String

            enum CodingKeys: String, CodingKey {
                case count, nonzero, indices = "indices_u32le", weights = "weights_f64le"
            }

            /// The non-zero weights, packed.
            init(_ weights: [Double]) {
                var idx: [UInt32] = []
                var vals: [UInt64] = []
                for (i, v) in weights.enumerated() where v.bitPattern != 0 {
                    idx.append(UInt32(i))
                    vals.append(v.bitPattern)
                }
                count = weights.count
                nonzero = idx.count
                indices = PackedArrays.base64(idx)
                self.weights = PackedArrays.base64(vals)
            }

            /// All `expected` weights; `name` says where a problem is.
            func unpacked(_ expected: Int, _ name: String) throws(ModelFileError) -> [Double] {
                guard count == expected else { throw .invalid("\(name).count \(count) does not match \(expected) buckets") }
                guard let idx = PackedArrays.uint32s(indices), let vals = PackedArrays.uint64s(weights),
                      idx.count == vals.count, idx.count == nonzero else {
                    throw .invalid("\(name) weights are corrupt")
                }
                var out = [Double](repeating: 0, count: expected)
                var last = -1
                for (i, v) in zip(idx, vals) {
                    let i = Int(i)
                    guard i > last, i < out.count else { throw .invalid("\(name) indices must be increasing and below \(out.count)") }
                    out[i] = Double(bitPattern: v)
                    last = i
                }
                return out
            }
        }

        struct Thresholds: Codable {
            var simpleBelow: ExactDouble
            var complexFrom: ExactDouble
            var how: String

            enum CodingKeys: String, CodingKey {
                case simpleBelow = "simple_below", complexFrom = "complex_from", how
            }
        }
    }
}

/// Why a model file could not be read.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case unsupportedVersion(Int, supported: Int)

    public var description: String {
        switch self {
        case .invalid(let why): "model file: \(why)"
        case .unsupportedVersion(let v, let s): "model file: format_version \(v) is newer than this build reads (\(s))"
        }
    }
}

/// What a model was trained on and how: enough to reproduce it.
public struct TrainingSummary: Sendable, Equatable, Codable {
    /// Data files, as given on the command line.
    public var data: [String]
    /// Training rows and, of those, rows labelled as needing a stronger tier.
    public var rows: Int
    public var positives: Int
    /// Training rows per source (benchmark).
    public var rowsBySource: [String: Int]
    /// Models of the ladder, cheapest first, as named in the data's `scores`.
    public var models: [String]
    /// How labels were made: `binary` (stronger beats cheapest by more than the margin) or `gain`.
    public var label: String
    public var margin: ExactDouble
    /// The held-out split, in words, and its parameters.
    public var split: String
    /// `category` or `random`, and the held-out fraction: with `seed`, enough to rebuild the split.
    public var holdoutBy: String
    public var holdoutFraction: ExactDouble
    public var seed: UInt64
    public var heldOutCategories: [String]
    public var heldOutRows: Int
    /// Optimiser and its settings.
    public var optimiser: String
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: ExactDouble
    public var l2: ExactDouble
    /// The command line that produced the model.
    public var command: String

    enum CodingKeys: String, CodingKey {
        case data, rows, positives, rowsBySource = "rows_by_source", models, label, margin, split, seed
        case holdoutBy = "holdout_by", holdoutFraction = "holdout_fraction"
        case heldOutCategories = "held_out_categories", heldOutRows = "held_out_rows", optimiser, epochs
        case batchSize = "batch_size", learningRate = "learning_rate", l2, command
    }

    public init(data: [String], rows: Int, positives: Int, rowsBySource: [String: Int], models: [String], label: String,
                margin: Double, split: String, holdoutBy: String, holdoutFraction: Double, seed: UInt64, heldOutCategories: [String], heldOutRows: Int,
                optimiser: String, epochs: Int, batchSize: Int, learningRate: Double, l2: Double, command: String) {
        self.data = data
        self.rows = rows
        self.positives = positives
        self.rowsBySource = rowsBySource
        self.models = models
        self.label = label
        self.margin = ExactDouble(margin)
        self.split = split
        self.holdoutBy = holdoutBy
        self.holdoutFraction = ExactDouble(holdoutFraction)
        self.seed = seed
        self.heldOutCategories = heldOutCategories
        self.heldOutRows = heldOutRows
        self.optimiser = optimiser
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = ExactDouble(learningRate)
        self.l2 = ExactDouble(l2)
        self.command = command
    }
}

/// A model's held-out figures on one benchmark.
public struct ModelMetrics: Sendable, Equatable, Codable {
    public var rows: Int
    public var apgr: ExactDouble
    public var cpt50: ExactDouble
    public var cpt80: ExactDouble
    public var randomAPGR: ExactDouble
    public var oracleAPGR: ExactDouble

    enum CodingKeys: String, CodingKey {
        case rows, apgr, cpt50 = "cpt_50", cpt80 = "cpt_80", randomAPGR = "random_apgr", oracleAPGR = "oracle_apgr"
    }

    public init(rows: Int, apgr: Double, cpt50: Double, cpt80: Double, randomAPGR: Double, oracleAPGR: Double) {
        self.rows = rows
        self.apgr = ExactDouble(apgr)
        self.cpt50 = ExactDouble(cpt50)
        self.cpt80 = ExactDouble(cpt80)
        self.randomAPGR = ExactDouble(randomAPGR)
        self.oracleAPGR = ExactDouble(oracleAPGR)
    }
}
