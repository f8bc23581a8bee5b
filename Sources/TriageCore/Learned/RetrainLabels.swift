/// A routing label learned in production: a query the misroute log, the shadow comparisons or a
/// caller's feedback says needed a stronger tier, or was served well enough by a cheaper one.
public struct LoggedLabel: Sendable, Equatable {
    /// SHA-256 hex of the normalised query (``RetrainLabels/queryHash(_:)``).
    public var queryHash: String
    /// The query, when the privacy setting let it be stored.
    public var queryText: String?
    /// True: needed a stronger tier than the one that answered; false: the cheaper answer was good enough.
    public var needsStronger: Bool
    /// Where the label came from: `misroute`, `shadow`, `feedback`.
    public var origin: String

    public init(queryHash: String, queryText: String?, needsStronger: Bool, origin: String) {
        self.queryHash = queryHash
        self.queryText = queryText
        self.needsStronger = needsStronger
        self.origin = origin
    }
}

/// Turns logged labels into training rows for `triage retrain`.
public enum RetrainLabels {
    /// The query's normalisation for hashing: lower-cased, whitespace runs collapsed to one space.
    public static func normalise(_ query: String) -> String {
        query.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// SHA-256 hex of the normalised query: the key the misroute log and shadow comparisons store.
    public static func queryHash(_ query: String) -> String {
        SHA256.hex(normalise(query))
    }

    /// The label a misroute's reason gives: a poor answer (`low_quality...`) or a shadow verdict of
    /// `worse` (`shadow_worse`) means the query needed a stronger tier. Upstream failures
    /// (`server_error`, `timeout`, ...) say nothing about the query, so they give none.
    public static func label(misrouteReason reason: String) -> Bool? {
        reason.hasPrefix("low_quality") || reason.hasPrefix("shadow_worse") ? true : nil
    }

    /// The label a caller's feedback gives: `needed_stronger` → true, `stronger_than_needed` → false,
    /// `good` → none (it does not say whether a cheaper tier would have done).
    public static func label(feedback verdict: String) -> Bool? {
        switch verdict {
        case "needed_stronger": true
        case "stronger_than_needed": false
        default: nil
        }
    }

    /// The label of a shadow verdict: `worse` → true; `as_good`, `better` → false; `unknown` → none.
    public static func label(shadow verdict: String) -> Bool? {
        ShadowVerdict(rawValue: verdict)?.goodEnough.map { !$0 }
    }

    /// What ``examples(_:base:excluding:policy:)`` made of the labels.
    public struct Result: Sendable, Equatable {
        /// One training row per distinct query.
        public var examples: [RoutingExample]
        /// Labels whose query has neither stored text nor a match in the base data.
        public var unresolved: Int
        /// Labels of queries in the excluded (held-out) rows, left out so the guardrail stays fair.
        public var excluded: Int
    }

    /// One training row per labelled query: text from the label, or from the base row with the
    /// same hash. Scores: needs stronger → cheapest 0, strongest 1; good enough → both 1 (the same
    /// as a base row both models answer well). Several labels of one query vote; a tie counts as
    /// needing the stronger tier.
    /// - Parameters:
    ///   - base: the base training data, to find queries stored by hash only.
    ///   - excluding: indices into `base` whose queries must not be trained on (the held-out slice).
    public static func examples(_ labels: [LoggedLabel], base: [RoutingExample], excluding: Set<Int>,
                                policy: LabelPolicy) -> Result {
        var byHash: [String: Int] = [:]
        var heldOut = Set<String>()  // a query held out under any of its base rows stays out of training
        for (i, e) in base.enumerated() {
            let h = queryHash(e.prompt)
            if byHash[h] == nil { byHash[h] = i }
            if excluding.contains(i) { heldOut.insert(h) }
        }
        var votes: [String: (text: String, source: String, up: Int, down: Int)] = [:]
        var order: [String] = []
        var unresolved = 0, excluded = 0
        for l in labels {
            let match = byHash[l.queryHash]
            if heldOut.contains(l.queryHash) {
                excluded += 1
                continue
            }
            guard let text = l.queryText ?? match.map({ base[$0].prompt }) else {
                unresolved += 1
                continue
            }
            if votes[l.queryHash] == nil {
                order.append(l.queryHash)
                votes[l.queryHash] = (text, match.map { base[$0].source } ?? "log", 0, 0)
            }
            if l.needsStronger { votes[l.queryHash]!.up += 1 } else { votes[l.queryHash]!.down += 1 }
        }
        let weak = policy.models[0], strong = policy.models[policy.models.count - 1]
        let examples = order.map { h -> RoutingExample in
            let v = votes[h]!
            let needs = v.up >= v.down
            return RoutingExample(id: "log/" + h.prefix(16), source: v.source, category: "log", prompt: v.text,
                                  scores: [weak: needs ? 0 : 1, strong: 1])
        }
        return Result(examples: examples, unresolved: unresolved, excluded: excluded)
    }
}
