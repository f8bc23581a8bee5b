import TriageCore
import TriageUpstream

/// Fuzzes the Anthropic Messages stream translator: the body is parsed as SSE by the real
/// `SSEParser`, and every event goes through `AnthropicStreamTranslator`, then `end()`.
///
/// Checked: no crash or leak; every chunk the translator emits is JSON that parses, with
/// `object: chat.completion.chunk`; the usage it reports is never negative.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var parser = SSEParser(maxLineLength: 1 << 16, maxEventLength: 1 << 18)
    let events = parser.feed(UnsafeBufferPointer(start: data, count: size))
    var translator = AnthropicStreamTranslator(created: 0)
    var items: [StreamItem] = []
    do {
        for event in events { items += try translator.translate(event) }
        items += try translator.end()
    } catch {
        // An `error` event or a cut stream: a clean, typed failure.
    }
    for item in items {
        guard case .chunk(let text, let json) = item else { continue }
        guard let parsed = try? JSONValue.parse(Array(text.utf8)) else { fatalError("chunk is not JSON: \(text)") }
        if parsed != json { fatalError("chunk text and value differ: \(text) vs \(json)") }
        if json["object"]?.stringValue != "chat.completion.chunk" { fatalError("not a chunk: \(text)") }
    }
    if let usage = translator.usage, usage.promptTokens < 0 || usage.completionTokens < 0 {
        fatalError("negative usage \(usage)")
    }
    return 0
}
