import Logging
import TriageCore

extension LineLogHandler {
    /// `{"ts":...,"level":...,"label":...,"message":...,"metadata":{...}}\n`, keys sorted; strings
    /// escaped by ``JSONWriter/writeString(_:into:)``.
    static func jsonLine(ts: String, label: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var out = [UInt8]()
        out.reserveCapacity(256 + metadata.count * 48)
        out.append(contentsOf: #"{"ts":"#.utf8)
        JSONWriter.writeString(ts, into: &out)
        out.append(contentsOf: #","level":"#.utf8)
        JSONWriter.writeString(event.level.rawValue, into: &out)
        out.append(contentsOf: #","label":"#.utf8)
        JSONWriter.writeString(label, into: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.writeString(Redaction.scrub(event.message.description), into: &out)
        if !metadata.isEmpty {
            out.append(contentsOf: #","metadata":"#.utf8)
            appendJSON(.dictionary(metadata), to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let s):
            JSONWriter.writeString(Redaction.scrub(s), into: &out)
        case .stringConvertible(let c):
            JSONWriter.writeString(Redaction.scrub(c.description), into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendJSON(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dict):
            out.append(UInt8(ascii: "{"))
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                appendJSON(dict[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
