/// Plausible, deterministic answer text for a (model, prompt) pair.
///
/// A few question kinds get a direct answer (capitals, small arithmetic, greetings); anything else
/// gets sentences from a small built-in corpus, picked by a generator seeded with the FNV-1a hash
/// of the model and the prompt. Longer prompts get longer answers.
enum AnswerGenerator {
    static func answer(model: String, prompt: Substring) -> String {
        if let direct = self.directAnswer(prompt) { return direct }
        var hasher = FNV1a()
        hasher.combine(model.utf8)
        hasher.combine(CollectionOfOne(0))
        hasher.combine(prompt.utf8)
        var rng = SplitMix64(seed: hasher.value)

        let count = 2 + min(prompt.utf8.count / 60, 8)
        var answer = self.openers[Int(rng.next() % UInt64(self.openers.count))]
        var used = Set<Int>()
        while used.count < count - 1 {
            let index = Int(rng.next() % UInt64(self.body.count))
            guard used.insert(index).inserted else { continue }
            answer += " "
            answer += self.body[index]
        }
        answer += " "
        answer += self.closers[Int(rng.next() % UInt64(self.closers.count))]
        return answer
    }

    // MARK: Direct answers

    private static func directAnswer(_ prompt: Substring) -> String? {
        guard prompt.utf8.count <= 120 else { return nil }
        let lower = prompt.lowercased()
        if let capital = self.capital(lower) { return capital }
        if let sum = self.arithmetic(lower) { return sum }
        let words = lower.split(whereSeparator: { !$0.isLetter })
        if let first = words.first, words.count <= 3, ["hello", "hi", "hey"].contains(first) {
            return "Hello! How can I help you today?"
        }
        return nil
    }

    private static func capital(_ lower: String) -> String? {
        guard let range = lower.firstRange(of: "capital of ") else { return nil }
        var country = lower[range.upperBound...].prefix(while: { $0.isLetter || $0 == " " })
        if country.hasPrefix("the ") { country = country.dropFirst(4) }
        let key = country.trimmingSimWhitespace()
        guard let (name, city) = self.capitals[String(key)] else { return nil }
        return "The capital of \(name) is \(city)."
    }

    private static func arithmetic(_ lower: String) -> String? {
        let asks = lower.first?.isNumber == true
            || ["what is", "what's", "calculate", "compute"].contains(where: { lower.contains($0) })
        guard asks, let match = lower.firstMatch(of: /(-?\d{1,9})\s*([-+*x×\/])\s*(-?\d{1,9})/),
              let a = Int(match.1), let b = Int(match.3)
        else { return nil }
        let result: String
        switch match.2 {
        case "+": result = String(a + b)
        case "-": result = String(a - b)
        case "*", "x", "×": result = String(a * b)
        default:
            guard b != 0 else { return "Division by zero is undefined." }
            result = a % b == 0 ? String(a / b) : String(Double(a) / Double(b))
        }
        return "\(match.1) \(match.2) \(match.3) = \(result)."
    }

    private static let capitals: [String: (String, String)] = [
        "france": ("France", "Paris"), "germany": ("Germany", "Berlin"), "italy": ("Italy", "Rome"),
        "spain": ("Spain", "Madrid"), "portugal": ("Portugal", "Lisbon"), "japan": ("Japan", "Tokyo"),
        "china": ("China", "Beijing"), "india": ("India", "New Delhi"), "canada": ("Canada", "Ottawa"),
        "australia": ("Australia", "Canberra"), "brazil": ("Brazil", "Brasília"),
        "united kingdom": ("the United Kingdom", "London"), "uk": ("the UK", "London"),
        "england": ("England", "London"), "united states": ("the United States", "Washington, D.C."),
        "usa": ("the USA", "Washington, D.C."), "russia": ("Russia", "Moscow"), "egypt": ("Egypt", "Cairo"),
        "mexico": ("Mexico", "Mexico City"), "netherlands": ("the Netherlands", "Amsterdam"),
        "switzerland": ("Switzerland", "Bern"), "sweden": ("Sweden", "Stockholm"),
        "norway": ("Norway", "Oslo"), "poland": ("Poland", "Warsaw"), "greece": ("Greece", "Athens"),
        "turkey": ("Turkey", "Ankara"), "kenya": ("Kenya", "Nairobi"), "argentina": ("Argentina", "Buenos Aires"),
    ]

    // MARK: Corpus

    private static let openers: [String] = [
        "Here is a short answer.",
        "Good question.",
        "Let me explain.",
        "Here is how I would approach it.",
        "In short, it depends on a few factors.",
        "The answer comes down to a couple of key points.",
    ]

    private static let body: [String] = [
        "The first step is to be clear about what is being asked and which constraints apply.",
        "Breaking the problem into smaller parts usually makes each part easier to reason about.",
        "It helps to check the assumptions before drawing any conclusion.",
        "A simple example often shows the idea more clearly than a long description.",
        "The most common approach works well in practice, although it has known limits.",
        "When the inputs are small, a direct calculation is usually the fastest path.",
        "For larger inputs, it pays to look for structure that can be reused.",
        "Most of the effort goes into getting the details right rather than the overall idea.",
        "There are trade-offs between speed, cost and accuracy, and the right balance depends on the goal.",
        "It is worth verifying the result against a known case before relying on it.",
        "Experts generally agree on the main points, even if they differ on the details.",
        "Historical context explains why things developed the way they did.",
        "The same principle appears in many other fields as well.",
        "A careful reading of the question often reveals the key detail.",
        "Writing the steps down makes it easier to spot mistakes.",
        "If anything is unclear, restating the problem in your own words can help.",
        "Keep in mind that edge cases can change the outcome.",
        "The data available supports this conclusion reasonably well.",
        "A good rule of thumb is to start simple and refine only where needed.",
        "This is a well-studied topic with plenty of reliable sources.",
        "Comparing two or three alternatives side by side makes the choice clearer.",
        "The underlying mechanism is straightforward once the terms are defined.",
        "Small changes in the starting conditions can lead to noticeably different results.",
        "Measuring before and after is the most reliable way to judge an improvement.",
    ]

    private static let closers: [String] = [
        "I hope this helps.",
        "Let me know if you would like more detail.",
        "That should cover the essentials.",
        "Feel free to ask a follow-up question.",
    ]
}
