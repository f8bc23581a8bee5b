/// How text becomes features. Saved inside every model file: a model is only valid with the
/// settings it was trained with.
public struct FeatureSettings: Sendable, Equatable, Codable {
    /// The hashed block has `1 << hashBits` buckets.
    public var hashBits: Int
    /// Hash lower-cased word unigrams.
    public var wordUnigrams: Bool
    /// Hash pairs of adjacent words.
    public var wordBigrams: Bool
    /// Character n-grams of these lengths (inclusive), over the normalised text; 0 disables.
    public var charNGramMin: Int
    public var charNGramMax: Int
    /// Only the first this many bytes of the query feed the hashed block (counts still see all of it).
    public var maxHashedBytes: Int
    /// Repeat the dense block for open-form queries (those without multiple-choice options), so
    /// that the same count (length, numbers) can weigh differently in the two shapes of query.
    public var shapeConjunction: Bool

    public init(hashBits: Int = 16, wordUnigrams: Bool = true, wordBigrams: Bool = true,
                charNGramMin: Int = 4, charNGramMax: Int = 4, maxHashedBytes: Int = 16_384,
                shapeConjunction: Bool = false) {
        self.hashBits = hashBits
        self.wordUnigrams = wordUnigrams
        self.wordBigrams = wordBigrams
        self.charNGramMin = charNGramMin
        self.charNGramMax = charNGramMax
        self.maxHashedBytes = maxHashedBytes
        self.shapeConjunction = shapeConjunction
    }

    /// Width of the dense block: ``DenseFeature/count``, twice that with ``shapeConjunction``.
    public var denseCount: Int { DenseFeature.count * (shapeConjunction ? 2 : 1) }

    /// Names of the dense block's entries.
    public var denseNames: [String] {
        DenseFeature.names + (shapeConjunction ? DenseFeature.names.map { "open_form." + $0 } : [])
    }

    /// Number of hashed buckets.
    public var hashedCount: Int { 1 << hashBits }

    /// Checks the settings can be used; returns a problem in words, or nil.
    public func problem() -> String? {
        if hashBits < 4 || hashBits > 24 { return "hashBits must be in 4...24 (got \(hashBits))" }
        if charNGramMin < 0 || charNGramMax < charNGramMin || charNGramMax > 8 {
            return "char n-gram range must satisfy 0 <= min <= max <= 8 (got \(charNGramMin)...\(charNGramMax))"
        }
        if charNGramMin == 0 && charNGramMax != 0 { return "charNGramMin 0 disables char n-grams; set charNGramMax to 0 too" }
        if maxHashedBytes < 0 { return "maxHashedBytes must be >= 0" }
        return nil
    }
}
