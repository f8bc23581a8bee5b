/// A coding key named at run time: the members of JSON objects the simulated provider writes or
/// reads by name (Anthropic events, a tool call's input, a tool's schema).
struct SimCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { self.stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
