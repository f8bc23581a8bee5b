import Foundation
import Hummingbird

/// Writes one answer as OpenAI `chat.completion.chunk` server-sent events.
///
/// ```
/// data: {"choices":[{"delta":{"role":"assistant","content":""},...}],...}   after ttft_ms
/// data: {"choices":[{"delta":{"content":" word"},...}],...}                 one per token, tpot_ms apart
/// data: {"choices":[{"delta":{},"finish_reason":"stop"}],...}
/// data: {"choices":[],"usage":{...}}                                         only with include_usage
/// data: [DONE]
/// ```
/// Events are written as they are produced; events produced with no delay between them are
/// written together.
struct SimStream: Sendable {
    let answer: SimAnswer
    let behaviour: SimBehaviour
    let includeUsage: Bool

    func write(to writer: inout any ResponseBodyWriter) async throws {
        var events = EventBuffer()
        let template = try ContentChunkTemplate(self.chunk(delta: .init(content: ""), finishReason: nil), encoder: events.encoder)
        let ttft = max(0, self.behaviour.ttftMs ?? 0)
        let tpot = max(0, self.behaviour.tpotMs ?? 0)
        if ttft > 0 { try await Task.sleep(for: .milliseconds(ttft)) }
        try events.add(self.chunk(delta: .init(role: "assistant", content: ""), finishReason: nil))

        var index = 0
        for range in self.answer.tokens {
            try await self.injectFaults(before: index, events: &events, writer: &writer)
            if index > 0, tpot > 0 {
                try await events.flush(to: &writer)
                try await Task.sleep(for: .milliseconds(tpot))
            }
            events.addContent(self.answer.text.utf8[range], template: template)
            index += 1
        }
        try await self.injectFaults(before: index, events: &events, writer: &writer)

        try events.add(self.chunk(delta: .init(), finishReason: self.answer.finishReason))
        if self.includeUsage {
            try events.add(ChatCompletionChunk(
                id: self.answer.id, created: self.answer.created, model: self.answer.model,
                choices: [], usage: self.answer.usage
            ))
        }
        events.addRaw("[DONE]")
        try await events.flush(to: &writer)
        try await writer.finish(nil)
    }

    /// Stream faults that take effect once `index` content tokens have been sent.
    private func injectFaults(before index: Int, events: inout EventBuffer, writer: inout any ResponseBodyWriter) async throws {
        if self.behaviour.stallAfterTokens == index, let stall = self.behaviour.stallMs, stall > 0 {
            try await events.flush(to: &writer)
            try await Task.sleep(for: .milliseconds(stall))
        }
        if self.behaviour.malformedAfterTokens == index {
            events.addRaw("{\"id\":\"\(self.answer.id)\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":")
        }
        if self.behaviour.cutAfterTokens == index {
            try await events.flush(to: &writer)
            throw ChatHandler.InjectedCut()
        }
    }

    private func chunk(delta: ChatCompletionChunk.Delta, finishReason: String?) -> ChatCompletionChunk {
        ChatCompletionChunk(
            id: self.answer.id, created: self.answer.created, model: self.answer.model,
            choices: [.init(delta: delta, finishReason: finishReason)]
        )
    }
}

/// A content chunk encoded once with an empty content, split around that content, so that each
/// token costs a JSON string escape instead of a full encode.
private struct ContentChunkTemplate {
    let prefix: [UInt8]
    let suffix: [UInt8]

    init(_ chunk: ChatCompletionChunk, encoder: JSONEncoder) throws {
        let json = Array(try encoder.encode(chunk))
        let marker = Array(#""content":"""#.utf8)
        guard let start = json.firstRange(of: marker) else { throw SimStreamError.templateWithoutContent }
        let split = start.upperBound - 1  // between the two quotes of the empty content
        self.prefix = Array(json[..<split])
        self.suffix = Array(json[split...])
    }
}

enum SimStreamError: Error { case templateWithoutContent }

/// Server-sent events waiting to be written.
private struct EventBuffer {
    private var buffer = ByteBuffer()
    let encoder = SimJSON.encoder()

    mutating func addContent(_ token: Substring.UTF8View, template: ContentChunkTemplate) {
        self.buffer.writeString("data: ")
        self.buffer.writeBytes(template.prefix)
        self.buffer.writeJSONEscaped(token)
        self.buffer.writeBytes(template.suffix)
        self.buffer.writeString("\n\n")
    }

    mutating func add(_ chunk: ChatCompletionChunk) throws {
        let json = try self.encoder.encode(chunk)
        self.buffer.writeString("data: ")
        self.buffer.writeBytes(json)
        self.buffer.writeString("\n\n")
    }

    mutating func addRaw(_ data: String) {
        self.buffer.writeString("data: ")
        self.buffer.writeString(data)
        self.buffer.writeString("\n\n")
    }

    mutating func flush(to writer: inout any ResponseBodyWriter) async throws {
        guard self.buffer.readableBytes > 0 else { return }
        try await writer.write(self.buffer)
        self.buffer.clear()
    }
}

extension ByteBuffer {
    /// Writes UTF-8 `bytes` as the inside of a JSON string, copying runs that need no escape at once.
    mutating func writeJSONEscaped(_ bytes: Substring.UTF8View) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            var runStart = 0
            for (offset, byte) in buffer.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if offset > runStart { self.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[runStart..<offset]))) }
                self.writeEscape(byte)
                runStart = offset + 1
            }
            if buffer.count > runStart { self.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[runStart...]))) }
        }
        if done == nil {
            for byte in bytes {
                if byte < 0x20 || byte == 0x22 || byte == 0x5C { self.writeEscape(byte) } else { self.writeInteger(byte) }
            }
        }
    }

    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): self.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): self.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): self.writeStaticString("\\n")
        case UInt8(ascii: "\r"): self.writeStaticString("\\r")
        case UInt8(ascii: "\t"): self.writeStaticString("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            self.writeStaticString("\\u00")
            self.writeInteger(hex.utf8Start[Int(byte >> 4)])
            self.writeInteger(hex.utf8Start[Int(byte & 0xF)])
        }
    }
}
