import NIOCore
import NIOEmbedded
import Testing
import TriageCore
import TriageWire

@Suite struct WireMessageTests {
    static let body: JSONValue = .object([
        "model": .string("auto"),
        "messages": .array([.object(["role": .string("user"), "content": .string("héllo 😀")])]),
        "temperature": .double(0.2), "max_tokens": .int(64),
    ])

    static let samples: [(String, WireMessage)] = [
        ("hello", .hello(Hello(workerID: "w-1", pid: 4242, capacity: 256))),
        ("request", .request(WireRequest(id: "req_1", caller: Caller(teamID: 7, team: "search", keyID: 9), body: body, queuedMs: 1.5))),
        ("request", .request(WireRequest(id: "req_2", caller: Caller(), body: body))),
        ("request", .request(WireRequest(id: "req_3", caller: Caller(teamID: 7, team: "search", keyID: 11, budgetKeyID: 9), body: body))),
        ("sent", .sent(id: "req_1")),
        ("response", .response(WireResponse(id: "req_1", status: 200, headers: ["x-triage-tier": "simple"],
                                            body: .object(["choices": .array([]), "usage": Usage(promptTokens: 12, completionTokens: 6).openAIValue])))),
        ("response", .response(WireResponse(id: "req_1", status: 200, headers: [:], body: .object(["choices": .array([])]),
                                            usage: Usage(promptTokens: 3, completionTokens: 4, estimated: true)))),
        ("head", .head(id: "req_1", status: 200, headers: ["content-type": "text/event-stream"])),
        ("head", .head(id: "req_1", status: 200, headers: [:])),
        ("chunk", .chunk(id: "req_1", data: #"{"choices":[{"delta":{"content":"a\"b\n"}}]}"#)),
        ("end", .end(WireEnd(id: "req_1", usage: Usage(promptTokens: 12, completionTokens: 6, estimated: true), costUSD: "0.000005400", attempts: 2))),
        ("end", .end(WireEnd(id: "req_1", usage: nil, costUSD: "0.000000000", attempts: 1))),
        ("end", .end(WireEnd(id: "req_1", usage: Usage(promptTokens: 1225, completionTokens: 15, cachedTokens: 1000, cacheWriteTokens: 200),
                             costUSD: "0.000005400", attempts: 1))),
        ("error", .error(WireErrorMessage(id: "req_1", status: 502, error: TriageError.upstreamFailed("x").body, headers: ["x-triage-attempts": "3"]))),
        ("error", .error(WireErrorMessage(id: nil, status: 400, error: OpenAIErrorBody(message: "m", type: "protocol_error", code: "bad_frame")))),
        ("cancel", .cancel(id: "req_1")),
        ("ping", .ping(seq: 0)),
        ("ping", .ping(seq: UInt64(Int64.max))),
        ("pong", .pong(seq: 17, inFlight: 3, capacity: 256)),
        ("drain", .drain(reason: "shutting down")),
        ("restart", .restart(reason: "config reload 3")),
    ]

    @Test func everyCaseEncodesAsALengthPrefixedJSONObjectAndDecodesBackEqual() throws {
        let sender = try wireChannel(maxFrameBytes: 64 * 1024)
        let receiver = try wireChannel(maxFrameBytes: 64 * 1024)
        for (type, message) in Self.samples {
            try sender.writeOutbound(message)
            let bytes = try outboundBytes(sender)

            // 4-byte big-endian length of the payload, then one JSON object naming its type.
            let length = try #require(bytes.getInteger(at: bytes.readerIndex, endianness: .big, as: UInt32.self))
            #expect(Int(length) == bytes.readableBytes - 4)
            let json = try payloads(bytes)
            #expect(json.count == 1)
            #expect(json.first?["type"] == .string(type))

            try receiver.writeInbound(bytes)
            #expect(try inboundMessages(receiver) == [message])
        }
        #expect(try sender.finish().isClean)
        #expect(try receiver.finish().isClean)
    }

    @Test func fieldsUseTheDocumentedSnakeCaseNames() throws {
        let channel = try wireChannel()
        try channel.writeOutbound(WireMessage.hello(Hello(workerID: "w", pid: 1, capacity: 2)))
        try channel.writeOutbound(WireMessage.pong(seq: 1, inFlight: 2, capacity: 3))
        try channel.writeOutbound(WireMessage.end(WireEnd(id: "r", usage: .zero, costUSD: "0.1", attempts: 1)))
        try channel.writeOutbound(WireMessage.request(WireRequest(id: "r", caller: Caller(teamID: 1, keyID: 2), body: .null, queuedMs: 3)))
        let json = try payloads(try outboundBytes(channel))
        #expect(json[0] == .object(["type": .string("hello"), "version": .int(Int64(wireProtocolVersion)), "worker_id": .string("w"),
                                    "pid": .int(1), "capacity": .int(2)]))
        #expect(json[1] == .object(["type": .string("pong"), "seq": .int(1), "in_flight": .int(2), "capacity": .int(3)]))
        #expect(json[2]["cost_usd"] == .string("0.1"))
        #expect(json[2]["usage"]?["prompt_tokens"] == .int(0))
        #expect(json[3]["queued_ms"] == .int(3) || json[3]["queued_ms"] == .double(3))
        #expect(json[3]["caller"] == .object(["team_id": .int(1), "key_id": .int(2)]))
    }

    @Test func bodiesFollowTheHeaderLineVerbatim() throws {
        let channel = try wireChannel(maxFrameBytes: 64 * 1024)
        let sent = Array(#"{ "model" : "auto", "messages": [{"role":"user","content":"a\nb"}] }"#.utf8)
        let data = #"{"choices":[{"delta":{"content":"a\"b\n"}}]}"#
        try channel.writeOutbound(WireMessage.request(WireRequest(id: "r", caller: Caller(), body: try JSONValue.parse(sent), bodyBytes: sent)))
        try channel.writeOutbound(WireMessage.response(WireResponse(id: "r", status: 200, headers: [:], bodyBytes: Array("{\"a\" :1}".utf8))))
        try channel.writeOutbound(WireMessage.chunk(id: "r", data: data))
        try channel.writeOutbound(WireMessage.ping(seq: 1))
        let f = try frames(try outboundBytes(channel))
        #expect(f.map(\.header["type"]) == [.string("request"), .string("response"), .string("chunk"), .string("ping")])
        #expect(f[0].body == sent)  // the client's bytes, spacing and all
        #expect(f[1].body == Array("{\"a\" :1}".utf8))
        #expect(f[2].body == Array(data.utf8))  // not escaped
        #expect(f[2].header["data"] == nil)
        #expect(f[3].body == nil)
    }

    @Test func aRequestWhoseBodyIsNotJSONIsRefused() throws {
        let channel = try wireChannel()
        #expect(throws: WireCodecError.self) { try channel.writeInbound(frame(#"{"type":"request","id":"r","caller":{}}"# + "\n{nope")) }
        #expect(throws: WireCodecError.self) { _ = try? channel.finish(); try wireChannel().writeInbound(frame(#"{"type":"request","id":"r","caller":{}}"#)) }
    }

    @Test func handWrittenMessagesDecode() throws {
        let channel = try wireChannel()
        try channel.writeInbound(frame(#"{"type":"ping","seq":5}"#))
        try channel.writeInbound(frame(#"{"type":"drain"}"#))
        try channel.writeInbound(frame(#"{"type":"head","id":"r","status":200}"#))
        try channel.writeInbound(frame(#"{"type":"sent","id":"r","extra":"ignored"}"#))
        #expect(try inboundMessages(channel) == [.ping(seq: 5), .drain(reason: ""), .head(id: "r", status: 200, headers: [:]), .sent(id: "r")])
    }

    @Test func requestIDs() {
        #expect(WireMessage.sent(id: "a").requestID == "a")
        #expect(WireMessage.chunk(id: "b", data: "").requestID == "b")
        #expect(WireMessage.error(WireErrorMessage(id: nil, status: 400, error: OpenAIErrorBody(message: "m", type: "t"))).requestID == nil)
        #expect(WireMessage.ping(seq: 1).requestID == nil)
        #expect(WireMessage.end(WireEnd(id: "c", usage: nil, costUSD: "0", attempts: 1)).requestID == "c")
    }
}
