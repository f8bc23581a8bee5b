import Logging

extension LineLogHandler {
    /// `<ts> <level> <label>: k=v k=v [<source>] <message>\n`, metadata sorted by key.
    static func textLine(ts: String, label: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = ts
        line.reserveCapacity(128 + metadata.count * 32)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty { line += " "; line += label }
        line += ":"
        for key in metadata.keys.sorted() {
            line += " "
            line += key
            line += "="
            appendText(metadata[key]!, to: &line)
        }
        line += " ["
        line += event.source
        line += "] "
        line += Redaction.scrub(event.message.description)
        line += "\n"
        return line
    }

    private static func appendText(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s): out += Redaction.scrub(s)
        case .stringConvertible(let c): out += Redaction.scrub(c.description)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += ", " }
                appendText(v, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "["
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                out += key
                out += ": "
                appendText(dict[key]!, to: &out)
            }
            out += "]"
        }
    }
}
