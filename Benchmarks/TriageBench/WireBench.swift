import Foundation
import NIOCore
import NIOEmbedded
import TriageCore
import TriageWire

/// Frame encode and decode: `WireMessage`s through the real wire handlers on an `EmbeddedChannel`,
/// compared with writing the same frame's bytes into a buffer.
enum WireBench {
    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        let request = WireMessage.request(WireRequest(id: "req_0123456789abcdef01234567", caller: Caller(teamID: 1, team: "bench", keyID: 1),
                                                      body: Fixtures.json(Fixtures.typicalRequest)))
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

            // The JSON part alone, as the codec does it (a fresh encoder per call is what JSONEncoder.compact returns).
            let encoder = JSONEncoder.compact
            let decoder = JSONDecoder()
            let payload = Data(frameBytes.dropFirst(4))
            let jsonEncode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? encoder.encode(message)) }
            }
            results.append(BenchResult(group: "wire", name: "JSONEncoder \(label) only", nsPerOp: jsonEncode, bytes: payload.count,
                                       baselineNs: copy, baselineName: "copy"))
            let jsonDecode = measure(seconds: options.secondsPerCase) { n in
                for _ in 0..<n { blackHole(try? decoder.decode(WireMessage.self, from: payload)) }
            }
            results.append(BenchResult(group: "wire", name: "JSONDecoder \(label) only", nsPerOp: jsonDecode, bytes: payload.count,
                                       baselineNs: copy, baselineName: "copy"))
            _ = try? channel.finish()
        }
        results += try passThrough(options)
        return results
    }
}

extension WireBench {
    /// Prototype of a pass-through frame: a small JSON header (type, id, caller, body length) followed by
    /// the client's body bytes untouched, so neither side re-encodes or re-parses the body to move it.
    struct Header: Codable {
        var type: String
        var id: String
        var caller: Caller
        var bodyLength: Int
    }

    static func passThrough(_ options: BenchOptions) throws -> [BenchResult] {
        let body = Array(Fixtures.typicalRequest.utf8)
        let header = Header(type: "request", id: "req_0123456789abcdef01234567", caller: Caller(teamID: 1, team: "bench", keyID: 1),
                            bodyLength: body.count)
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        var results: [BenchResult] = []
        let frame: [UInt8] = try {
            let h = try encoder.encode(header)
            var f = [UInt8]()
            f.append(contentsOf: withUnsafeBytes(of: UInt32(h.count + body.count).bigEndian, Array.init))
            f.append(contentsOf: withUnsafeBytes(of: UInt32(h.count).bigEndian, Array.init))
            f.append(contentsOf: h)
            f.append(contentsOf: body)
            return f
        }()
        let encode = measure(seconds: options.secondsPerCase) { n in
            for _ in 0..<n {
                let h = (try? encoder.encode(opaque(header))) ?? Data()
                var b = ByteBuffer()
                b.reserveCapacity(8 + h.count + body.count)
                b.writeInteger(UInt32(h.count + body.count))
                b.writeInteger(UInt32(h.count))
                b.writeBytes(h)
                b.writeBytes(opaque(body))
                blackHole(b)
            }
        }
        results.append(BenchResult(group: "wire", name: "encode request, header + raw body (prototype)", nsPerOp: encode, bytes: frame.count,
                                   note: "vs pipeline above"))
        let decode = measure(seconds: options.secondsPerCase) { n in
            for _ in 0..<n {
                var b = ByteBuffer(bytes: opaque(frame))
                guard let _ = b.readInteger(as: UInt32.self), let hl = b.readInteger(as: UInt32.self),
                      let h = b.readSlice(length: Int(hl)) else { continue }
                let header = try? decoder.decode(Header.self, from: Data(h.readableBytesView))
                let rawBody = b.readSlice(length: b.readableBytes)
                blackHole((header, rawBody))
            }
        }
        results.append(BenchResult(group: "wire", name: "decode request, header + raw body (prototype)", nsPerOp: decode, bytes: frame.count,
                                   note: "vs pipeline above"))
        return results
    }
}
