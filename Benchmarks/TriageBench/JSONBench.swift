import Foundation
import TriageCore

/// A typical chat request's JSON decode (`ChatRequest(bytes:)`) and encode (`JSONValue.encoded()`),
/// and the same for a typical answer and one stream chunk.
enum JSONBench {
    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        var results: [BenchResult] = []
        let cases: [(String, String)] = [("chat request", Fixtures.typicalRequest),
                                         ("completion", Fixtures.typicalCompletion),
                                         ("stream chunk", Fixtures.typicalChunk)]
        for (label, text) in cases {
            let bytes = Array(text.utf8)
            let value = Fixtures.json(text)
            // Baseline: copying the bytes once (the cost of passing them through untouched).
            let copy = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n {
                    var out = [UInt8]()
                    out.reserveCapacity(bytes.count)
                    out.append(contentsOf: opaque(bytes))
                    blackHole(out)
                }
            }
            results.append(BenchResult(group: "json", name: "copy \(label) bytes (baseline)", nsPerOp: copy, bytes: bytes.count))
            if label == "chat request" {
                let ns = measure(seconds: options.secondsPerCase) { n in
                    for _ in 0..<n { blackHole(try? ChatRequest(bytes: opaque(bytes))) }
                }
                results.append(BenchResult(group: "json", name: "ChatRequest(bytes:) decode", nsPerOp: ns, bytes: bytes.count,
                                           baselineNs: copy, baselineName: "copy"))
            }
            let nsParse = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? JSONValue.parse(opaque(bytes))) }
            }
            results.append(BenchResult(group: "json", name: "JSONValue.parse \(label)", nsPerOp: nsParse, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
            // For comparison: the same value through Foundation's Codable decoder, which Triage used before.
            let decoder = JSONDecoder()
            let data = Data(bytes)
            let nsCodable = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? decoder.decode(JSONValue.self, from: opaque(data))) }
            }
            results.append(BenchResult(group: "json", name: "JSONDecoder (Codable) \(label), for comparison", nsPerOp: nsCodable, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
            let nsEncode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(opaque(value).encoded()) }
            }
            results.append(BenchResult(group: "json", name: "JSONValue.encoded() \(label)", nsPerOp: nsEncode, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
            let encoder = JSONEncoder()
            let nsCodableEncode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? encoder.encode(opaque(value))) }
            }
            results.append(BenchResult(group: "json", name: "JSONEncoder (Codable) \(label), for comparison", nsPerOp: nsCodableEncode, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
        }
        return results
    }
}
