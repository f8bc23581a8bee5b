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
    /// The tiers and request limits (a config reload replaces them).
    let live: LiveConfig
    let auth: Authenticator
    let rates = TeamRateLimiter()
    let inFlight = TeamConcurrencyLimiter()
    let watcher = DisconnectWatcher()
    let logger: Logger
    let metrics: TriageMetrics

    func handle(_ request: Request, context: TriageRequestContext) async -> Response {
        let received = ContinuousClock.now
        let id = RequestID.make()
        let live = self.live.snapshot
        let limits = live.config.limits
        let chat: ChatRequest
        let bodyBytes: [UInt8]
        var authenticated: Caller?
        /// `x-ratelimit-*` headers for a team with rate limits, on every answer.
        var rateHeaders: [String: String] = [:]
        /// The tokens taken from the team's tokens-per-minute allowance, settled when the request finishes.
        let tokenCharge: TeamRateLimiter.TokenCharge?
        /// The request's place among its team's requests in flight: given back when the handler
        /// returns, unless a stream takes it over (it gives it back when the stream ends).
        var slot: TeamConcurrencyLimiter.Slot?
        var streamHoldsSlot = false
        defer { if !streamHoldsSlot { slot?.release() } }
        let routing: RoutingHeaders
        do throws(TriageError) {
            let identity = try auth.identify(request.headers)
            authenticated = identity.caller
            (chat, bodyBytes) = try await read(request, limits: limits)
            _ = try live.ladder.entry(for: chat.model)
            routing = try RoutingHeaders(request.headers, ladder: live.ladder)
            slot = try inFlight.admit(identity)
            let decision = rates.admit(identity) { TokenEstimate.rateLimitTokens(chat) }
            rateHeaders = decision.headers
            if let refusal = decision.refusal { throw .rateLimited(refusal) }
            tokenCharge = decision.charge
        } catch {
            var done = FinishedRequest(id: id, team: authenticated?.team, status: error.status, stream: false, duration: received.duration(to: .now))
            done.errorCode = error.body.code
            finish(done)
            return ErrorResponse.make(error, headers: rateHeaders)
        }
        let team = authenticated?.team
        let caller = authenticated ?? Caller()
        /// Records the request, corrects its tokens to what it used, and gives the token limit's
        /// headers after that correction.
        @discardableResult
        @Sendable func complete(_ done: FinishedRequest) -> [String: String] {
            finish(done)
            guard let tokenCharge else { return [:] }
            return rates.settle(tokenCharge, used: done.tokensUsed)
        }
        let wire = WireRequest(id: id, caller: caller, body: chat.body, bodyBytes: bodyBytes, dial: routing.dial, maxTier: routing.maxTier)
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
            logger.warning("request failed before a worker answered", metadata: ["triage.request": "\(id)", "error": "\(Redaction.scrub(error.body.message))"])
            var done = FinishedRequest(id: id, team: team, status: error.status, stream: chat.stream, duration: received.duration(to: .now))
            done.errorCode = error.body.code
            rateHeaders.merge(complete(done)) { _, settled in settled }
            return ErrorResponse.make(error, headers: rateHeaders.merging(["x-triage-request-id": id, "x-request-id": id]) { _, b in b })
        }
        logger.debug("relayed", metadata: ["triage.request": "\(id)", "triage.worker": "\(reply.link.workerID)",
                                           "ms": "\(received.duration(to: .now))"])
        switch reply.first {
        case .response(let r):
            watcher.unwatch(context.channel, id: id)
            var done = FinishedRequest(id: id, team: team, status: r.status, stream: false, duration: received.duration(to: .now), headers: r.headers)
            // The worker names the usage; the answer is parsed only when it did not, or for an error's code.
            done.usage = r.usage ?? Usage(openAI: r.body["usage"])
            done.errorCode = r.status >= 400 ? r.body["error"]?["code"]?.stringValue : nil
            rateHeaders.merge(complete(done)) { _, settled in settled }
            var fields = HTTPFields.fromTriage(r.headers.merging(rateHeaders) { a, _ in a })
            fields[.contentType] = "application/json"
            return Response(status: .init(code: r.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.bodyBytes)))
        case .error(let e):
            watcher.unwatch(context.channel, id: id)
            var done = FinishedRequest(id: id, team: team, status: e.status, stream: chat.stream, duration: received.duration(to: .now),
                                       headers: e.headers ?? [:])
            done.errorCode = e.error.code
            rateHeaders.merge(complete(done)) { _, settled in settled }
            return ErrorResponse.make(status: e.status, body: e.error,
                                      headers: (e.headers ?? [:]).merging(["x-triage-request-id": id, "x-request-id": id]) { a, _ in a }.merging(rateHeaders) { a, _ in a })
        case .head(_, let status, let headers):
            let done = FinishedRequest(id: id, team: team, status: status, stream: true, duration: .zero, headers: headers)
            streamHoldsSlot = true
            return streamResponse(done, headers: headers.merging(rateHeaders) { a, _ in a }, received: received, reply: reply, channel: context.channel,
                                  slowReaderGrace: limits.slowReaderGraceSeconds, slot: slot, finish: complete)
        default:
            watcher.unwatch(context.channel, id: id)
            complete(FinishedRequest(id: id, team: team, status: 500, stream: chat.stream, duration: received.duration(to: .now)))
            return ErrorResponse.make(.internalError("unexpected first reply from worker"))
        }
    }

    /// Reads and validates the body; 413 over the limit, 400 for bad JSON or fields.
    /// - Returns: the request, and its body bytes as sent (passed to the worker verbatim).
    private func read(_ request: Request, limits: Limits) async throws(TriageError) -> (ChatRequest, [UInt8]) {
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
        let bytes = Array(buffer.readableBytesView)
        let chat = try ChatRequest(bytes: bytes)
        if chat.messages.count > limits.maxMessages {
            throw .invalidField("messages", "at most \(limits.maxMessages) messages per request (limits.max_messages)")
        }
        if let n = chat.maxTokens, n > limits.maxTokens {
            throw .invalidField(chat.body["max_completion_tokens"] != nil ? "max_completion_tokens" : "max_tokens",
                                "at most \(limits.maxTokens) (limits.max_tokens)")
        }
        return (chat, bytes)
    }

    /// Relays a worker's stream as Server-Sent Events. Ends with `data: [DONE]` on success;
    /// on a failure after the stream started, with an error event and no `[DONE]`.
    /// - Parameters:
    ///   - slowReaderGrace: Seconds a client whose stream was stopped for not reading it gets to
    ///     read what was held (`limits.slow_reader_grace_s`).
    ///   - slot: The request's place among its team's requests in flight, given back when the
    ///     stream ends (or when the response is dropped unsent).
    ///   - finish: Records the request once it ended (and settles its tokens).
    private func streamResponse(_ started: FinishedRequest, headers: [String: String], received: ContinuousClock.Instant,
                                reply: RelayedReply, channel: any Channel, slowReaderGrace: Double, slot: TeamConcurrencyLimiter.Slot?,
                                finish: @escaping @Sendable (FinishedRequest) -> [String: String]) -> Response {
        let id = started.id
        var fields = HTTPFields.fromTriage(headers)
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        let events = reply.stream
        let link = reply.link
        let watcher = self.watcher
        let route = self
        // A client too far behind (limits.max_stream_buffer_kb) has its answer stopped at once; this
        // task may be stuck writing to it for good, so the connection is closed unless the client
        // reads what was held within the grace period (limits.slow_reader_grace_s).
        let closing = Mutex<(ended: Bool, close: Scheduled<Void>?)>((false, nil))
        let grace = TimeAmount.milliseconds(Int64(slowReaderGrace * 1000))
        link.onCut(id: id) {
            route.logger.warning("stream stopped: the client is not reading it", metadata: ["triage.request": "\(id)", "limit_bytes": "\(link.maxStreamBuffer)"])
            closing.withLock { c in
                guard !c.ended else { return }  // the stream already ended: the connection may carry the next request
                c.close = channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
            }
        }
        return Response(status: .init(code: started.status), headers: fields, body: ResponseBody { writer in
            defer {
                slot?.release()
                watcher.unwatch(channel, id: id)
                closing.withLock { c in
                    c.ended = true
                    c.close?.cancel()
                }
            }
            var done = started
            /// Records the request once, however the stream ended.
            func end(status: Int, error: OpenAIErrorBody? = nil) {
                done.status = status
                done.errorCode = error?.code
                done.duration = received.duration(to: .now)
                _ = finish(done)
            }
            do {
                for await event in events {
                    switch event {
                    case .chunks(let chunks):
                        // Chunks read from the worker in one burst leave in one write.
                        var buffer = ByteBuffer()
                        let bytes = chunks.reduce(0) { $0 + $1.utf8.count }
                        buffer.reserveCapacity(bytes + 8 * chunks.count)
                        for data in chunks {
                            buffer.writeString("data: ")
                            buffer.writeString(data)
                            buffer.writeString("\n\n")
                        }
                        try await writer.write(buffer)
                        link.consumed(id: id, bytes: bytes)
                        if done.timeToFirstToken == nil { done.timeToFirstToken = received.duration(to: .now) }
                    case .message(.end(let e)):
                        try await writer.write(ByteBuffer(string: ": x-triage-cost-usd=\(e.costUSD) x-triage-attempts=\(e.attempts)\n\ndata: [DONE]\n\n"))
                        try await writer.finish(nil)
                        done.usage = e.usage
                        done.cost = Money(decimalString: e.costUSD) ?? done.cost
                        done.attempts = e.attempts
                        done.upstream = e.upstreamMs.map { .microseconds(Int64($0 * 1000)) }
                        end(status: started.status)
                        return
                    case .message(.error(let e)):
                        // Attempts billed before the failure (tokens the client already got) were charged:
                        // say how much, as the end of a whole stream does.
                        if let cost = e.headers?["x-triage-cost-usd"] {
                            done.cost = Money(decimalString: cost) ?? done.cost
                            try await writer.write(ByteBuffer(string: ": x-triage-cost-usd=\(cost) x-triage-attempts=\(e.headers?["x-triage-attempts"] ?? "")\n\n"))
                        }
                        try await writer.write(Self.errorEvent(e.error))
                        try await writer.finish(nil)
                        end(status: e.status, error: e.error)
                        return
                    case .clientTooSlow(let limit):
                        // The worker was told to stop; what it generated so far is charged (ledger `cancelled`).
                        let error = OpenAIErrorBody(message: "the client did not read its stream: more than \(limit >> 10) KiB of it were waiting "
                                                        + "(limits.max_stream_buffer_kb), so the answer was stopped", type: "server_error",
                                                    code: "stream_buffer_exceeded")
                        try await writer.write(Self.errorEvent(error))
                        try await writer.finish(nil)
                        end(status: 499, error: error)
                        return
                    case .lost(_, let reason):
                        let error = TriageError.workerLost(reason)
                        try await writer.write(Self.errorEvent(error.body))
                        try await writer.finish(nil)
                        end(status: error.status, error: error.body)
                        return
                    case .message:
                        continue
                    }
                }
                let error = TriageError.workerLost("the stream ended early")
                try await writer.write(Self.errorEvent(error.body))
                try await writer.finish(nil)
                end(status: error.status, error: error.body)
            } catch {
                // The client went away: stop the worker's upstream call.
                await link.cancel(id: id)
                end(status: 499)
                throw error
            }
        })
    }

    /// Counts a finished request in the metrics and writes its one log line, as the coordinator
    /// loop's next task: the handler returns first, so its answer is written and flushed before
    /// this (about 20 µs) runs, not after. The loop runs tasks in order, so a `/metrics` scrape
    /// that arrives once the answer is out (its handler is a later task) counts the request.
    func finish(_ request: FinishedRequest) {
        CoordinatorLoop.loop.execute { [metrics, logger] in
            metrics.record(request)
            logger.info("request", metadata: RequestLogLine.metadata(request))
        }
    }

    static func errorEvent(_ error: OpenAIErrorBody) -> ByteBuffer {
        var b = ByteBuffer(string: "data: ")
        b.writeBytes(error.envelopeBytes())
        b.writeString("\n\n")
        return b
    }
}
