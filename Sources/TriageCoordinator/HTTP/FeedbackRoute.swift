import Foundation
import Hummingbird
import NIOCore
import TriageCore
import TriageStore
import TriageWire

/// `POST /v1/feedback`: a caller's verdict on one of its own requests
/// (`{"request_id", "verdict": "needed_stronger"|"stronger_than_needed"|"good", "comment"?}`),
/// authenticated by the same kind of key as the request. Unknown requests, and requests of
/// another team, get the same 404.
struct FeedbackRoute: Sendable {
    let store: Store
    let auth: Authenticator
    /// The body limit (`limits.max_body_bytes`), as the latest config reload left it.
    let live: LiveConfig

    static let verdicts: Set<String> = ["needed_stronger", "stronger_than_needed", "good"]

    func handle(_ request: Request) async -> Response {
        do throws(TriageError) {
            let caller = try auth.authenticate(request.headers)
            let buffer: ByteBuffer
            let maxBodyBytes = live.config.limits.maxBodyBytes
            do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch { throw TriageError.requestTooLarge(limit: maxBodyBytes) }
            let body = try JSONValue.parse(buffer.readableBytesView)
            guard let id = body["request_id"]?.stringValue else { throw .missingField("request_id") }
            guard let verdict = body["verdict"]?.stringValue else { throw .missingField("verdict") }
            guard Self.verdicts.contains(verdict) else {
                throw .invalidField("verdict", "expected one of \(Self.verdicts.sorted().joined(separator: ", "))")
            }
            let comment = body["comment"]?.stringValue.map { String($0.prefix(2000)) }
            // The worker writes the request's row just after answering: allow it a moment.
            var row: RequestLogEntry?
            for attempt in 0..<10 {
                row = try? store.request(id: id)
                if row != nil || attempt == 9 { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            guard let row, row.teamID == caller.teamID else { throw .notFound("No request '\(id)' for this key's team.") }
            do {
                try store.addFeedback(FeedbackRecord(requestID: id, teamID: caller.teamID, keyID: caller.keyID, createdAt: Date(),
                                                     verdict: verdict, comment: comment))
            } catch {
                throw .internalError("could not store the feedback: \(error)")
            }
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONValue.object([
                                "request_id": .string(id), "verdict": .string(verdict), "stored": .bool(true)]).encoded())))
        } catch {
            return ErrorResponse.make(error)
        }
    }
}
