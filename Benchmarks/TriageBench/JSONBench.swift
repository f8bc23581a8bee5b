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
            guard try ByteJSONParser.parse(bytes) == value, try ByteJSONParser.parse(ByteJSONWriter.encode(value)) == value else {
                throw BenchError("prototype JSON parser/writer disagrees on \(label)")
            }
            let nsFast = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? ByteJSONParser.parse(opaque(bytes))) }
            }
            results.append(BenchResult(group: "json", name: "ByteJSONParser.parse \(label) (prototype)", nsPerOp: nsFast, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
            let nsEncode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(opaque(value).encoded()) }
            }
            results.append(BenchResult(group: "json", name: "JSONValue.encoded() \(label)", nsPerOp: nsEncode, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
            let nsFastEncode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(ByteJSONWriter.encode(opaque(value))) }
            }
            results.append(BenchResult(group: "json", name: "ByteJSONWriter.encode \(label) (prototype)", nsPerOp: nsFastEncode, bytes: bytes.count,
                                       baselineNs: copy, baselineName: "copy"))
        }
        return results
    }
}
