import Logging

extension LineLogHandler {
    /// `{"ts":...,"level":...,"label":...,"message":...,"metadata":{...}}\n`, keys sorted.
    static func jsonLine(ts: String, label: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = "{\"ts\":"
        appendString(ts, to: &line)
        line += ",\"level\":"
        appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        appendString(label, to: &line)
        line += ",\"message\":"
        appendString(Redaction.scrub(event.message.description), to: &line)
        if !metadata.isEmpty {
            line += ",\"metadata\":"
            appendJSON(.dictionary(metadata), to: &line)
        }
        line += "}\n"
        return line
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s):
            appendString(Redaction.scrub(s), to: &out)
        case .stringConvertible(let c):
            appendString(Redaction.scrub(c.description), to: &out)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += "," }
                appendJSON(v, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                appendJSON(dict[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string literal.
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
