import Foundation
import Hummingbird

/// Writes one answer as server-sent events, in OpenAI's or Anthropic's format.
///
/// OpenAI:
/// ```
/// data: {"choices":[{"delta":{"role":"assistant","content":""},...}],...}   after ttft_ms
/// data: {"choices":[{"delta":{"content":" word"},...}],...}                 one per token, tpot_ms apart
/// data: {"choices":[{"delta":{},"finish_reason":"stop"}],...}
/// data: {"choices":[],"usage":{...}}                                         only with include_usage
/// data: [DONE]                                                               unless omit_done
/// ```
/// Anthropic:
/// ```
/// event: message_start        data: {"type":"message_start","message":{...,"usage":{"input_tokens":N,"output_tokens":1}}}
/// event: content_block_start  data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
/// event: ping                 data: {"type":"ping"}
/// event: content_block_delta  data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" word"}}
/// event: content_block_stop   data: {"type":"content_block_stop","index":0}
/// event: message_delta        data: {"type":"message_delta","delta":{"stop_reason":"end_turn",...},"usage":{"output_tokens":N}}
/// event: message_stop         data: {"type":"message_stop"}                 unless omit_done
/// ```
/// A tool call streams as OpenAI's `tool_calls` deltas (the first with its id and name, then pieces of
/// its arguments) or Anthropic's `tool_use` block with `input_json_delta` pieces, and ends with
/// `finish_reason: tool_calls` / `stop_reason: tool_use`.
/// Events are written as they are produced; events produced with no delay between them are
/// written together.
struct SimStream: Sendable {
    enum Format: Sendable {
        case openAI(includeUsage: Bool)
        case anthropic
    }

    let answer: SimAnswer
    let behaviour: SimBehaviour
    let format: Format

    func write(to writer: inout any ResponseBodyWriter) async throws {
        var events = EventBuffer()
        let template = try ContentChunkTemplate(self.chunk(delta: .init(content: ""), finishReason: nil), encoder: events.encoder)
        let ttft = max(0, self.behaviour.ttftMs ?? 0)
        let tpot = max(0, self.behaviour.tpotMs ?? 0)
        if ttft > 0 { try await ChatHandler.delay(milliseconds: ttft) }
        try self.start(&events)

        var index = 0
        for range in self.answer.tokens {
            try await self.injectFaults(before: index, events: &events, writer: &writer)
            if index > 0, tpot > 0 {
                try await events.flush(to: &writer)
                try await Task.sleep(for: .milliseconds(tpot))
            }
            let token = self.answer.text.utf8[range]
            switch (self.format, self.answer.toolCall) {
            case (.openAI, nil): events.addContent(token, template: template)
            case (.openAI, _): try events.add(self.chunk(delta: .init(toolCalls: [.init(function: .init(arguments: String(Substring(token))))]), finishReason: nil))
            case (.anthropic, nil): try events.addEvent(AnthropicEvent.textDelta(String(Substring(token))))
            case (.anthropic, _): try events.addEvent(AnthropicEvent.inputJSONDelta(String(Substring(token))))
            }
            index += 1
        }
        try await self.injectFaults(before: index, events: &events, writer: &writer)
        try self.end(&events)
        try await events.flush(to: &writer)
        try await writer.finish(nil)
    }

    private func start(_ events: inout EventBuffer) throws {
        switch self.format {
        case .openAI:
            if let call = self.answer.toolCall {
                let first = ChatCompletionChunk.ToolCallDelta(id: call.id, type: "function", function: .init(name: call.name, arguments: ""))
                try events.add(self.chunk(delta: .init(role: "assistant", toolCalls: [first]), finishReason: nil))
            } else {
                try events.add(self.chunk(delta: .init(role: "assistant", content: ""), finishReason: nil))
            }
        case .anthropic:
            try events.addEvent(AnthropicEvent.messageStart(self.answer))
            try events.addEvent(AnthropicEvent.contentBlockStart(self.answer.toolCall))
            try events.addEvent(AnthropicEvent.ping)
        }
    }

    private func end(_ events: inout EventBuffer) throws {
        let omitDone = self.behaviour.omitDone == true
        switch self.format {
        case .openAI(let includeUsage):
            try events.add(self.chunk(delta: .init(), finishReason: self.answer.finishReason))
            if includeUsage {
                try events.add(ChatCompletionChunk(
                    id: self.answer.id, created: self.answer.created, model: self.answer.model,
                    choices: [], usage: self.answer.usage
                ))
            }
            if !omitDone { events.addRaw("[DONE]") }
        case .anthropic:
            try events.addEvent(AnthropicEvent.contentBlockStop)
            try events.addEvent(AnthropicEvent.messageDelta(self.answer))
            if !omitDone { try events.addEvent(AnthropicEvent.messageStop) }
        }
    }

    /// Stream faults that take effect once `index` content tokens have been sent.
    private func injectFaults(before index: Int, events: inout EventBuffer, writer: inout any ResponseBodyWriter) async throws {
        if self.behaviour.stallAfterTokens == index, let stall = self.behaviour.stallMs, stall > 0 {
            try await events.flush(to: &writer)
            try await ChatHandler.delay(milliseconds: stall)
        }
        if self.behaviour.malformedAfterTokens == index {
            switch self.format {
            case .openAI:
                events.addRaw("{\"id\":\"\(self.answer.id)\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":")
            case .anthropic:
                events.addRaw("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":", event: "content_block_delta")
            }
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

    mutating func addEvent(_ event: AnthropicEvent) throws {
        self.buffer.writeString("event: ")
        self.buffer.writeString(event.type)
        self.buffer.writeString("\ndata: ")
        self.buffer.writeBytes(try self.encoder.encode(event))
        self.buffer.writeString("\n\n")
    }

    mutating func addRaw(_ data: String, event: String? = nil) {
        if let event {
            self.buffer.writeString("event: ")
            self.buffer.writeString(event)
            self.buffer.writeString("\n")
        }
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
