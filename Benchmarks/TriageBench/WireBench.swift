import NIOCore
import NIOEmbedded
import TriageCore
import TriageWire

/// Frame encode and decode: `WireMessage`s through the real wire handlers on an `EmbeddedChannel`
/// (a JSON header line, then the body bytes verbatim), compared with writing the same frame's
/// bytes into a buffer.
enum WireBench {
    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        // The request's body goes as the client's bytes, as the coordinator sends it.
        let request = WireMessage.request(WireRequest(id: "req_0123456789abcdef01234567", caller: Caller(teamID: 1, team: "bench", keyID: 1),
                                                      body: Fixtures.json(Fixtures.typicalRequest), bodyBytes: Array(Fixtures.typicalRequest.utf8)))
        let response = WireMessage.response(WireResponse(id: "req_0123456789abcdef01234567", status: 200, headers: [
            "x-triage-request-id": "req_0123456789abcdef01234567", "x-triage-tier": "simple", "x-triage-model": "gpt-4o-mini",
            "x-triage-attempts": "1", "x-triage-worker": "w1", "x-triage-reason": "rules: short query (6 words < 20), no keyword, no context",
            "x-triage-cost-usd": "0.000005400",
        ], body: Fixtures.json(Fixtures.typicalCompletion)))
        let chunk = WireMessage.chunk(id: "req_0123456789abcdef01234567", data: Fixtures.typicalChunk)
        var results: [BenchResult] = []
        for (label, message) in [("request", request), ("response", response), ("chunk", chunk)] {
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: 8 << 20)
            // One frame's bytes, as the peer would send them.
            try channel.writeOutbound(message)
            var frame = ByteBuffer()
            while var part: ByteBuffer = try channel.readOutbound() { frame.writeBuffer(&part) }
            let frameBytes = Array(frame.readableBytesView)

            let copy = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n {
                    var b = channel.allocator.buffer(capacity: frameBytes.count)
                    b.writeBytes(frameBytes)
                    blackHole(b)
                }
            }
            results.append(BenchResult(group: "wire", name: "copy \(label) frame (baseline)", nsPerOp: copy, bytes: frameBytes.count))

            let encode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n {
                    _ = try? channel.writeOutbound(opaque(message))
                    while let part: ByteBuffer = try? channel.readOutbound() { blackHole(part) }
                }
            }
            results.append(BenchResult(group: "wire", name: "encode \(label) frame (pipeline)", nsPerOp: encode, bytes: frameBytes.count,
                                       baselineNs: copy, baselineName: "copy"))

            let decode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n {
                    _ = try? channel.writeInbound(frame)
                    let m: WireMessage? = try? channel.readInbound()
                    blackHole(m)
                }
            }
            results.append(BenchResult(group: "wire", name: "decode \(label) frame (pipeline)", nsPerOp: decode, bytes: frameBytes.count,
                                       baselineNs: copy, baselineName: "copy"))

            _ = try? channel.finish()
        }
        return results
    }
}
