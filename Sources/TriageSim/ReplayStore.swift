import Foundation

/// Recorded real answers, keyed by trimmed prompt (the `routellm/*.jsonl` format).
///
/// One JSON object a line:
/// ```json
/// {"id": "gsm8k/17", "prompt": "...", "responses": {"mixtral-8x7b-instruct-v0.1": "...", ...}, ...}
/// ```
/// Records without `responses` are skipped; when two records share a prompt, the first wins.
struct ReplayStore: Sendable {
    struct Record: Decodable, Sendable {
        var id: String
        var prompt: String
        var responses: [String: String]?
        /// Each model's recorded quality on the prompt (1 correct, 0 wrong), when present.
        var scores: [String: Double]?
    }

    /// A replayed answer and the id of its record.
    struct Hit: Sendable {
        var recordID: String
        var text: String
    }

    private var records: [Substring: Record] = [:]
    private var modelMap: [String: String]

    /// Number of records with responses.
    var count: Int { self.records.count }

    init(records: [Record] = [], modelMap: [String: String] = [:]) {
        self.modelMap = modelMap
        for record in records where !(record.responses?.isEmpty ?? true) {
            let key = Substring(record.prompt.trimmingSimWhitespace())
            if self.records[key] == nil { self.records[key] = record }
        }
    }

    /// Loads a JSONL file.
    /// - Throws: ``SimError/replayFileUnreadable(path:reason:)`` or ``SimError/replayLineInvalid(path:line:reason:)``.
    init(path: String, modelMap: [String: String]) throws(SimError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .replayFileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        var records: [Record] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                records.append(try decoder.decode(Record.self, from: line))
            } catch {
                throw .replayLineInvalid(path: path, line: lineNumber, reason: Self.describe(error))
            }
        }
        self.init(records: records, modelMap: modelMap)
    }

    /// The record of `prompt` (trimmed), if any.
    func record(prompt: Substring) -> Record? {
        self.records[prompt]
    }

    /// The recorded answer of `model` (or of the recorded model it maps to) for `prompt`.
    func lookup(prompt: Substring, model: String) -> Hit? {
        guard let record = self.records[prompt], let responses = record.responses else { return nil }
        if let text = responses[model] { return Hit(recordID: record.id, text: text) }
        if let mapped = self.modelMap[model], let text = responses[mapped] {
            return Hit(recordID: record.id, text: text)
        }
        return nil
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not valid JSON"
        default: "\(error)"
        }
    }
}
