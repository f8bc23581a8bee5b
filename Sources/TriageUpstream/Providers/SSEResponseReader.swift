import TriageCore

/// Reads an upstream response as Server-Sent Events: the part every streaming provider shares.
/// It reports progress, keeps the body of a non-200 answer for the provider's own error mapping,
/// and maps transport failures once (a connection that dies after a 200 answer started has cut
/// the stream: `stream_cut`; one that never answered: `reset`).
struct SSEResponseReader {
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var errorBody: [UInt8] = []
    private var parser = SSEParser()

    /// Reads every part, handing the events of a 200 answer to `onEvents` (return false to stop
    /// reading early). On return the response has a status; check it, then take ``finish()``.
    /// - Parameter billed: usage the provider reported so far, attached to a transport failure.
    mutating func read(_ parts: AsyncThrowingStream<UpstreamHTTPPart, any Error>, progress: (any AttemptProgress)?,
                       billed: () -> Usage? = { nil },
                       onEvents: ([SSEEvent]) throws(AttemptFailure) -> Bool) async throws(AttemptFailure) {
        do {
            reading: for try await part in parts {
                switch part {
                case .head(let s, let h):
                    status = s
                    headers = h
                    progress?.responseStarted(headers: h)
                case .body(let bytes):
                    progress?.bytesReceived()
                    if status != 200 {
                        errorBody.append(contentsOf: bytes)
                        continue
                    }
                    if try !onEvents(parser.feed(bytes)) { break reading }
                }
            }
        } catch let e as UpstreamHTTPError {
            var failure = AttemptFailure(transport: e)
            // The answer had started: the connection dying now cuts the stream.
            if status == 200, e.kind == .reset { failure.kind = .streamCut }
            failure.billedUsage = billed()
            throw failure
        } catch let e as AttemptFailure {
            throw e
        } catch {
            throw AttemptFailure(kind: .cancelled, message: "\(error)")
        }
        if Task.isCancelled {
            throw AttemptFailure(kind: .cancelled, message: "the request was cancelled")
        }
        if status == 0 {
            throw AttemptFailure(kind: .reset, message: "the provider closed the connection without answering")
        }
    }

    /// Events completed by the end of the body (an incomplete last event is dropped).
    mutating func finish() -> [SSEEvent] {
        parser.finish()
    }
}
