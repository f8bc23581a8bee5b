import TriageCore

/// Inputs shared by the benchmarks: prompts of fixed sizes and typical OpenAI bodies.
enum Fixtures {
    static let words = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "we",
                        "consider", "what", "happens", "next", "in", "this", "small", "story", "about", "animals"]

    /// A prompt of exactly `bytes` bytes of words (no complexity keyword).
    static func prompt(bytes: Int) -> String {
        var s = ""
        var i = 0
        while s.utf8.count < bytes {
            if !s.isEmpty { s += " " }
            s += words[i % words.count]
            i += 1
        }
        return String(s.utf8.prefix(bytes))!
    }

    /// A chat request body with one user message of `promptBytes` bytes (and a system prompt when asked).
    static func chatBody(promptBytes: Int, system: Bool = false, stream: Bool = false) -> String {
        let sys = system ? #"{"role":"system","content":"You are a helpful assistant."},"# : ""
        return #"{"model":"auto","messages":[\#(sys){"role":"user","content":"\#(prompt(bytes: promptBytes))"}],"temperature":0.7,"max_tokens":256\#(stream ? #","stream":true"# : "")}"#
    }

    /// A typical chat request: system prompt, a short question, sampling parameters (~300 B).
    static let typicalRequest = #"""
    {"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly and accurately."},{"role":"user","content":"What is the capital of France, and roughly how many people live there? Please answer in one sentence."}],"temperature":0.7,"top_p":1,"max_tokens":256,"user":"bench"}
    """#

    /// A typical non-stream answer from the simulated provider (~450 B).
    static let typicalCompletion = #"""
    {"id":"chatcmpl-sim-3f2a9c1b7d4e","object":"chat.completion","created":1764400000,"model":"gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"The capital of France is Paris, a city of about 2.1 million people (over 12 million in its metropolitan area)."},"logprobs":null}],"usage":{"prompt_tokens":38,"completion_tokens":27,"total_tokens":65},"system_fingerprint":"fp_sim"}
    """#

    /// One stream chunk's `data:` payload.
    static let typicalChunk = #"""
    {"id":"chatcmpl-sim-3f2a9c1b7d4e","object":"chat.completion.chunk","created":1764400000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" Paris"},"finish_reason":null}]}
    """#

    static func json(_ text: String) -> JSONValue {
        // The fixtures are valid JSON.
        try! JSONValue.parse(Array(text.utf8))
    }
}
