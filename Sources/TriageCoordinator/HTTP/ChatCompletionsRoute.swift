import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TriageCore
import TriageWire

/// `POST /v1/chat/completions`: validate, hand to a worker, relay the answer (whole or as SSE).
struct ChatCompletionsRoute: Sendable {
    let pool: WorkerPool
    let ladder: Ladder
    let limits: Limits
    let auth: Authenticator
    let watcher = DisconnectWatcher()
    let logger: Logger

    func handle(_ request: Request, context: TriageRequestContext) async -> Response {
        let received = ContinuousClock.now
        let chat: ChatRequest
        let caller: Caller
        do throws(TriageError) {
            caller = try auth.authenticate(request.headers)
            chat = try await read(request)
            _ = try ladder.entry(for: chat.model)
        } catch {
            return ErrorResponse.make(error)
        }
        let id = RequestID.make()
        let wire = WireRequest(id: id, caller: caller, body: chat.body)
        let current = Mutex<WorkerLink?>(nil)
        watcher.watch(context.channel, id: id) {
            guard let link = current.withLock({ $0 }) else { return }
            Task { await link.cancel(id: id) }
        }
        let reply: RelayedReply
        do throws(TriageError) {
            reply = try await pool.relay(wire) { link in current.withLock { $0 = link } }
        } catch {
            watcher.unwatch(context.channel, id: id)
            logger.warning("request failed before a worker answered", metadata: ["triage.request": "\(id)", "error": "\(error.body.message)"])
            return ErrorResponse.make(error, headers: ["x-triage-request-id": id])
        }
        logger.debug("relayed", metadata: ["triage.request": "\(id)", "triage.worker": "\(reply.link.workerID)",
                                           "ms": "\(received.duration(to: .now))"])
        switch reply.first {
        case .response(let r):
            watcher.unwatch(context.channel, id: id)
            var fields = HTTPFields.fromTriage(r.headers)
            fields[.contentType] = "application/json"
            return Response(status: .init(code: r.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body.encoded())))
        case .error(let e):
            watcher.unwatch(context.channel, id: id)
            return ErrorResponse.make(status: e.status, body: e.error, headers: (e.headers ?? [:]).merging(["x-triage-request-id": id]) { a, _ in a })
        case .head(_, let status, let headers):
            return streamResponse(id: id, status: status, headers: headers, reply: reply, channel: context.channel)
        default:
            watcher.unwatch(context.channel, id: id)
            return ErrorResponse.make(.internalError("unexpected first reply from worker"))
        }
    }

    /// Reads and validates the body; 413 over the limit, 400 for bad JSON or fields.
    private func read(_ request: Request) async throws(TriageError) -> ChatRequest {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxBodyBytes {
            throw .requestTooLarge(limit: limits.maxBodyBytes)
        }
        var buffer = ByteBuffer()
        do {
            for try await part in request.body {
                guard buffer.readableBytes + part.readableBytes <= limits.maxBodyBytes else {
                    throw TriageError.requestTooLarge(limit: limits.maxBodyBytes)
                }
                var part = part
                buffer.writeBuffer(&part)
            }
        } catch let e as TriageError {
            throw e
        } catch {
            throw .invalidField("body", "could not read the request body: \(error)")
        }
        if buffer.readableBytes == 0 { throw .invalidJSON("the body is empty") }
        return try ChatRequest(bytes: buffer.readableBytesView)
    }

    /// Relays a worker's stream as Server-Sent Events. Ends with `data: [DONE]` on success;
    /// on a failure after the stream started, with an error event and no `[DONE]`.
    private func streamResponse(id: String, status: Int, headers: [String: String], reply: RelayedReply, channel: any Channel) -> Response {
        var fields = HTTPFields.fromTriage(headers)
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        let events = reply.stream
        let link = reply.link
        let watcher = self.watcher
        return Response(status: .init(code: status), headers: fields, body: ResponseBody { writer in
            defer { watcher.unwatch(channel, id: id) }
            do {
                for await event in events {
                    switch event {
                    case .message(.chunk(_, let data)):
                        try await writer.write(ByteBuffer(string: "data: \(data)\n\n"))
                    case .message(.end(let end)):
                        try await writer.write(ByteBuffer(string: ": x-triage-cost-usd=\(end.costUSD) x-triage-attempts=\(end.attempts)\n\ndata: [DONE]\n\n"))
                        try await writer.finish(nil)
                        return
                    case .message(.error(let e)):
                        try await writer.write(Self.errorEvent(e.error))
                        try await writer.finish(nil)
                        return
                    case .lost(_, let reason):
                        try await writer.write(Self.errorEvent(TriageError.workerLost(reason).body))
                        try await writer.finish(nil)
                        return
                    case .message:
                        continue
                    }
                }
                try await writer.write(Self.errorEvent(TriageError.workerLost("the stream ended early").body))
                try await writer.finish(nil)
            } catch {
                // The client went away: stop the worker's upstream call.
                await link.cancel(id: id)
                throw error
            }
        })
    }

    static func errorEvent(_ error: OpenAIErrorBody) -> ByteBuffer {
        var b = ByteBuffer(string: "data: ")
        b.writeBytes(error.envelopeBytes())
        b.writeString("\n\n")
        return b
    }
}
