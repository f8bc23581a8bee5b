import TriageCore

/// Fuzzes what the coordinator does with a client's request body: `JSONValue.parse` (the
/// recursive-descent `JSONParser`) and `ChatRequest(body:)`'s validation, then the views the
/// router reads (`query`, `upstreamBody`).
///
/// Checked: no crash or leak; a parsed value written back out by `JSONWriter` parses to the
/// same value; an accepted request honours its documented bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChatRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let written = value.encoded()
    guard let again = try? JSONValue.parse(written) else {
        fatalError("JSONWriter output does not parse: \(String(decoding: written, as: UTF8.self))")
    }
    if !sameJSON(value, again) {
        fatalError("JSON round trip changed the value: \(value) -> \(again)")
    }
    guard let request = try? ChatRequest(body: value) else { return 0 }
    if request.messages.isEmpty || request.model.isEmpty { fatalError("accepted a request without model or messages") }
    if let n = request.maxTokens, n <= 0 || n > ChatRequest.maxTokensLimit { fatalError("accepted max_tokens \(n)") }
    _ = request.query
    _ = request.hasSystemPrompt
    _ = request.hasEarlierTurns
    _ = request.upstreamBody(model: "gpt-4o-mini").encoded()
    return 0
}

/// Equality that treats NaN-free doubles and ints of the same number alike (JSON has one number type).
func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameJSON(value, $0) } ?? false }
    default:
        if a == b { return true }
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return false
    }
}
