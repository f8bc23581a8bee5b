import NIOCore
import NIOEmbedded
import Testing
import TriageCore
import TriageWire

@Suite struct WireCodecTests {
    /// Expects the channel to have answered with one connection-level `bad_frame` error and closed.
    func expectBadFrame(_ channel: EmbeddedChannel, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let replies = try payloads(try outboundBytes(channel))
        #expect(replies.count == 1, sourceLocation: sourceLocation)
        let reply = try #require(replies.first, sourceLocation: sourceLocation)
        #expect(reply["type"] == .string("error"), sourceLocation: sourceLocation)
        #expect(reply["id"] == nil, sourceLocation: sourceLocation)
        #expect(reply["status"] == .int(400), sourceLocation: sourceLocation)
        #expect(reply["error"]?["code"] == .string("bad_frame"), sourceLocation: sourceLocation)
        #expect(reply["error"]?["type"] == .string("protocol_error"), sourceLocation: sourceLocation)
        let message = reply["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains(text), "\(message)", sourceLocation: sourceLocation)
        #expect(!channel.isActive, "the connection should be closed", sourceLocation: sourceLocation)
    }

    /// Writes `buffer` inbound; a codec error reaching the end of the pipeline is returned, not thrown.
    func writeInbound(_ channel: EmbeddedChannel, _ buffer: ByteBuffer) -> (any Error)? {
        do {
            try channel.writeInbound(buffer)
            return nil
        } catch {
            return error
        }
    }

    /// A `chunk` message whose payload (header line, newline, data) is exactly `size` bytes.
    func chunkPayload(size: Int) -> String {
        let empty = #"{"type":"chunk","id":"r"}"# + "\n"
        return empty + String(repeating: "x", count: size - empty.utf8.count)
    }

    // MARK: - Framing

    @Test func aFrameSplitAcrossReadsDecodesOnce() throws {
        let channel = try wireChannel()
        var bytes = frame(#"{"type":"chunk","id":"req_1"}"# + "\nhello")
        let parts = [3, 2, 10, bytes.readableBytes - 15]
        for n in parts {
            try channel.writeInbound(bytes.readSlice(length: n)!)
            if bytes.readableBytes > 0 { #expect(try inboundMessages(channel).isEmpty) }
        }
        #expect(try inboundMessages(channel) == [.chunk(id: "req_1", data: "hello")])
        #expect(channel.isActive)
    }

    @Test func aFrameFedByteByByteDecodesOnce() throws {
        let channel = try wireChannel()
        var bytes = frame(#"{"type":"pong","seq":9,"in_flight":1,"capacity":4}"#)
        bytes.writeImmutableBuffer(frame(#"{"type":"ping","seq":10}"#))
        var decoded: [WireMessage] = []
        while let byte = bytes.readSlice(length: 1) {
            try channel.writeInbound(byte)
            decoded += try inboundMessages(channel)
        }
        #expect(decoded == [.pong(seq: 9, inFlight: 1, capacity: 4), .ping(seq: 10)])
        #expect(channel.isActive)
    }

    @Test func severalFramesInOneReadDecodeInOrder() throws {
        let channel = try wireChannel()
        var bytes = ByteBuffer()
        for i in 1...5 { bytes.writeImmutableBuffer(frame(#"{"type":"ping","seq":\#(i)}"#)) }
        try channel.writeInbound(bytes)
        #expect(try inboundMessages(channel) == (1...5).map { .ping(seq: UInt64($0)) })
    }

    @Test func framesAndPartialFramesMixAcrossReads() throws {
        let channel = try wireChannel()
        var bytes = ByteBuffer()
        for i in 1...3 { bytes.writeImmutableBuffer(frame(#"{"type":"cancel","id":"r\#(i)"}"#)) }
        // Cut in the middle of the second frame's length field, then in the third frame's payload.
        let first = bytes.readSlice(length: frame(#"{"type":"cancel","id":"r1"}"#).readableBytes + 2)!
        let second = bytes.readSlice(length: bytes.readableBytes - 5)!
        try channel.writeInbound(first)
        #expect(try inboundMessages(channel) == [.cancel(id: "r1")])
        try channel.writeInbound(second)
        #expect(try inboundMessages(channel) == [.cancel(id: "r2")])
        try channel.writeInbound(bytes)
        #expect(try inboundMessages(channel) == [.cancel(id: "r3")])
    }

    @Test func outboundMessagesAreFramedBackToBack() throws {
        let sender = try wireChannel()
        let receiver = try wireChannel()
        let messages: [WireMessage] = [.ping(seq: 1), .cancel(id: "a"), .drain(reason: "bye")]
        for m in messages { try sender.writeOutbound(m) }
        try receiver.writeInbound(try outboundBytes(sender))
        #expect(try inboundMessages(receiver) == messages)
    }

    @Test func anEmptyPayloadIsMalformed() throws {
        let channel = try wireChannel()
        let error = writeInbound(channel, frame(""))
        #expect(error is WireCodecError)
        try expectBadFrame(channel, mentioning: "malformed message")
    }

    // MARK: - Size limit

    @Test func aFrameExactlyAtTheLimitIsAccepted() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        let payload = chunkPayload(size: 1024)
        #expect(payload.utf8.count == 1024)
        try channel.writeInbound(frame(payload))
        let decoded = try inboundMessages(channel)
        #expect(decoded.count == 1)
        #expect(decoded.first?.requestID == "r")
        #expect(channel.isActive)
        #expect(try outboundBytes(channel).readableBytes == 0)
    }

    @Test func aFrameAtTheLimitFedInPiecesIsAccepted() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        var bytes = frame(chunkPayload(size: 1024))
        bytes.writeImmutableBuffer(frame(chunkPayload(size: 1024)))
        while bytes.readableBytes > 0 {
            try channel.writeInbound(bytes.readSlice(length: min(100, bytes.readableBytes))!)
        }
        #expect(try inboundMessages(channel).count == 2)
        #expect(channel.isActive)
    }

    @Test func aFrameOverTheLimitIsRefusedAndTheConnectionClosed() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        let error = writeInbound(channel, frame(chunkPayload(size: 1025)))
        #expect(error as? WireCodecError == .frameTooLarge(length: 1025, limit: 1024))
        #expect(try inboundMessages(channel).isEmpty)
        try expectBadFrame(channel, mentioning: "frame of 1025 bytes exceeds the limit of 1024 bytes")
    }

    @Test func theLengthFieldAloneIsEnoughToRefuseAFrame() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        var header = ByteBuffer()
        header.writeInteger(UInt32(5_000_000), endianness: .big)
        let error = writeInbound(channel, header)
        #expect(error as? WireCodecError == .frameTooLarge(length: 5_000_000, limit: 1024))
        try expectBadFrame(channel, mentioning: "frame of 5000000 bytes")
    }

    @Test func aLengthFieldSplitAcrossReadsIsStillChecked() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        var header = ByteBuffer()
        header.writeInteger(UInt32.max, endianness: .big)
        #expect(writeInbound(channel, header.readSlice(length: 1)!) == nil)
        #expect(writeInbound(channel, header.readSlice(length: 2)!) == nil)
        #expect(channel.isActive)
        // The error that ends the pipeline may be the decoder's left-over bytes on close (the first
        // three header bytes it buffered), so the reply is what counts.
        #expect(writeInbound(channel, header) != nil)
        try expectBadFrame(channel, mentioning: "exceeds the limit of 1024 bytes")
    }

    @Test func anOversizeFrameAfterGoodOnesInTheSameReadIsRefused() throws {
        let channel = try wireChannel(maxFrameBytes: 1024)
        var bytes = frame(#"{"type":"ping","seq":1}"#)
        bytes.writeInteger(UInt32(2048), endianness: .big)
        let error = writeInbound(channel, bytes)
        #expect(error as? WireCodecError == .frameTooLarge(length: 2048, limit: 1024))
        try expectBadFrame(channel, mentioning: "frame of 2048 bytes")
    }

    // MARK: - Bad payloads

    @Test func malformedJSONIsRefusedAndTheConnectionClosed() throws {
        let channel = try wireChannel()
        let error = writeInbound(channel, frame(#"{"type":"ping","seq":"#))
        guard case .malformedMessage(let why) = error as? WireCodecError else {
            Issue.record("expected malformedMessage, got \(String(describing: error))")
            return
        }
        #expect(why.contains("not JSON"))
        #expect(try inboundMessages(channel).isEmpty)
        try expectBadFrame(channel, mentioning: "malformed message: not JSON")
    }

    @Test func anUnknownTypeIsRefusedAndTheConnectionClosed() throws {
        let channel = try wireChannel()
        let error = writeInbound(channel, frame(#"{"type":"teleport","id":"r"}"#))
        #expect(error is WireCodecError)
        #expect(try inboundMessages(channel).isEmpty)
        try expectBadFrame(channel, mentioning: "malformed message")
    }

    @Test func aMissingFieldIsRefusedByName() throws {
        let channel = try wireChannel()
        let error = writeInbound(channel, frame(#"{"type":"cancel"}"#))
        #expect(error as? WireCodecError == .malformedMessage("missing field 'id'"))
        try expectBadFrame(channel, mentioning: "missing field 'id'")
    }

    @Test func aWrongTypeIsRefused() throws {
        let channel = try wireChannel()
        let error = writeInbound(channel, frame(#"{"type":"ping","seq":"one"}"#))
        #expect(error is WireCodecError)
        try expectBadFrame(channel, mentioning: "malformed message")
    }

    @Test func aJSONValueThatIsNotAnObjectIsRefused() throws {
        let channel = try wireChannel()
        _ = writeInbound(channel, frame("[1,2,3]"))
        try expectBadFrame(channel, mentioning: "malformed message")
    }

    @Test func codecErrorsDescribeThemselves() {
        #expect(WireCodecError.frameTooLarge(length: 10, limit: 5).description == "frame of 10 bytes exceeds the limit of 5 bytes")
        #expect(WireCodecError.malformedMessage("x").description == "malformed message: x")
    }
}

@Suite struct WireCodecLimitTests {
    @Test func completeFramesBeforeAnOversizeHeaderInTheSameReadAreDelivered() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: 1024)
        var buffer = channel.allocator.buffer(capacity: 64)
        let json = Array(#"{"type":"ping","seq":7}"#.utf8)
        buffer.writeInteger(UInt32(json.count))
        buffer.writeBytes(json)
        buffer.writeInteger(UInt32(1 << 20))  // then an oversize header
        try? channel.writeInbound(buffer)
        #expect(try channel.readInbound(as: WireMessage.self) == .ping(seq: 7))
        _ = try? channel.finish()
    }

    @Test func anOversizeOutboundMessageFailsItsWriteWithoutClosing() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireHandlers(maxFrameBytes: 1024)
        let big = WireMessage.chunk(id: "r", data: String(repeating: "x", count: 4096))
        #expect(throws: WireCodecError.self) { try channel.writeOutbound(big) }
        // The connection is still usable: the next message goes out.
        try channel.writeOutbound(WireMessage.ping(seq: 1))
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil)
        _ = try? channel.finish()
    }
}
