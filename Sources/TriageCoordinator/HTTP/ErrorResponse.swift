import HTTPTypes
import Hummingbird
import NIOCore
import TriageCore

/// Builds every HTTP error response in OpenAI's shape (`{"error":{"message","type","code"}}`).
enum ErrorResponse {
    /// The error's response; `x-should-retry` when the error says whether a retry may pass, and
    /// `retry-after` when it knows when one would and `headers` has none.
    static func make(_ error: TriageError, headers: [String: String] = [:]) -> Response {
        var headers = headers
        if let retry = error.shouldRetry { headers["x-should-retry"] = String(retry) }
        if headers["retry-after"] == nil, let seconds = error.retryAfterSeconds { headers["retry-after"] = String(seconds) }
        return make(status: error.status, body: error.body, headers: headers)
    }

    static func make(status: Int, body: OpenAIErrorBody, headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields.fromTriage(headers)
        fields[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.envelopeBytes())))
    }
}

extension HTTPFields {
    /// Header fields from the worker's `x-triage-*` map.
    static func fromTriage(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let n = HTTPField.Name(name) { fields[n] = value }
        }
        return fields
    }
}
