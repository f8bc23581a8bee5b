/// The parts of a chat request that features are computed from. Built from a ``ChatRequest``
/// when serving and from a bare prompt when training on benchmark data, so both paths share
/// one extraction.
public struct FeatureInput: Sendable, Equatable {
    /// The query being routed (the last user message).
    public var query: String
    /// UTF-8 bytes of all system/developer messages.
    public var systemBytes: Int
    /// UTF-8 bytes of every message, the query included.
    public var totalBytes: Int
    /// Number of user and assistant turns (1 for a bare prompt).
    public var turns: Int
    /// Whether `tools` (or legacy `functions`) were given.
    public var hasTools: Bool
    /// Whether `response_format` was given.
    public var hasResponseFormat: Bool

    public init(query: String, systemBytes: Int = 0, totalBytes: Int? = nil, turns: Int = 1,
                hasTools: Bool = false, hasResponseFormat: Bool = false) {
        self.query = query
        self.systemBytes = systemBytes
        self.totalBytes = totalBytes ?? (query.utf8.count + systemBytes)
        self.turns = turns
        self.hasTools = hasTools
        self.hasResponseFormat = hasResponseFormat
    }

    /// A lone user prompt, as in benchmark data.
    public init(prompt: String) {
        self.init(query: prompt)
    }

    /// The routing view of a request.
    public init(request: ChatRequest) {
        var system = 0
        var total = 0
        var turns = 0
        for m in request.messages {
            let n = m.text.utf8.count
            total += n
            if m.role == "system" || m.role == "developer" { system += n } else { turns += 1 }
        }
        func present(_ key: String) -> Bool {
            guard let v = request.body[key] else { return false }
            if case .null = v { return false }
            if case .array(let a) = v { return !a.isEmpty }
            return true
        }
        self.init(query: request.query, systemBytes: system, totalBytes: total, turns: max(turns, 1),
                  hasTools: present("tools") || present("functions"), hasResponseFormat: present("response_format"))
    }
}
