/// The parts of an OpenAI Chat Completions request that the simulated provider reads.
struct ChatRequest: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var role: String
        /// The text of the message: a string content, or its text parts joined.
        var text: String

        private enum CodingKeys: String, CodingKey { case role, content }

        private struct Part: Decodable {
            var type: String
            var text: String?
        }

        init(role: String, text: String) {
            self.role = role
            self.text = text
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.role = try container.decode(String.self, forKey: .role)
            if try container.decodeNil(forKey: .content) {
                self.text = ""
            } else if let string = try? container.decode(String.self, forKey: .content) {
                self.text = string
            } else {
                let parts = try container.decode([Part].self, forKey: .content)
                self.text = parts.lazy.filter { $0.type == "text" }.compactMap(\.text).joined()
            }
        }
    }

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        private enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    var model: String
    var messages: [Message]
    var stream: Bool?
    var streamOptions: StreamOptions?
    var maxTokens: Int?
    var maxCompletionTokens: Int?

    private enum CodingKeys: String, CodingKey {
        case model, messages, stream
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// `max_completion_tokens`, else `max_tokens`.
    var tokenLimit: Int? { self.maxCompletionTokens ?? self.maxTokens }

    /// The text of the last user message, trimmed; the key for replay and the seed of generated answers.
    var lastUserText: Substring {
        let text = self.messages.last(where: { $0.role == "user" })?.text ?? self.messages.last?.text ?? ""
        return text.trimmingSimWhitespace()
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace and newlines (no Foundation needed).
    func trimmingSimWhitespace() -> Substring {
        guard let start = self.firstIndex(where: { !$0.isWhitespace }),
              let last = self.lastIndex(where: { !$0.isWhitespace })
        else { return Substring() }
        return Substring(self[start...last])
    }
}
