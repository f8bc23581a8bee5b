/// Told when an upstream call makes progress, so the worker can enforce time-to-first-byte and
/// stream-idle limits around it.
public protocol AttemptProgress: Sendable {
    /// The provider's status line and headers arrived.
    func responseStarted()
    /// Response body bytes arrived.
    func bytesReceived()
}

extension CurlHTTPClient {
    /// Sends a request and collects the whole response, reporting progress as parts arrive.
    func collect(_ request: UpstreamHTTPRequest, progress: (any AttemptProgress)?) async throws(UpstreamHTTPError) -> UpstreamHTTPResponse {
        guard let progress else { return try await execute(request) }
        var status = 0
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        do {
            for try await part in stream(request) {
                switch part {
                case .head(let s, let h):
                    status = s
                    headers = h
                    progress.responseStarted()
                case .body(let bytes):
                    body.append(contentsOf: bytes)
                    progress.bytesReceived()
                }
            }
        } catch let e as UpstreamHTTPError {
            throw e
        } catch {
            throw UpstreamHTTPError(kind: .cancelled, message: "\(error)")
        }
        if status == 0 {
            throw UpstreamHTTPError(kind: Task.isCancelled ? .cancelled : .reset, message: "no response")
        }
        return UpstreamHTTPResponse(status: status, headers: headers, body: body)
    }
}
