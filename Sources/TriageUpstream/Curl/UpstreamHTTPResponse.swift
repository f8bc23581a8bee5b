/// A piece of a streamed response from ``CurlHTTPClient/stream(_:)``.
public enum UpstreamHTTPPart: Sendable {
    /// The final response's status line and headers (informational `1xx` responses are
    /// skipped). Header names are lower-cased; repeated headers are joined with `", "`.
    /// Always the first part, sent once.
    case head(status: Int, headers: [String: String])
    /// Response body bytes, as they arrived from the network (chunked framing removed).
    case body([UInt8])
}

/// A whole response collected by ``CurlHTTPClient/execute(_:)``.
public struct UpstreamHTTPResponse: Sendable {
    /// The HTTP status code of the final response.
    public var status: Int
    /// The response headers, with lower-cased names; repeated headers joined with `", "`.
    public var headers: [String: String]
    /// The response body.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - status: The status code.
    ///   - headers: The headers, with lower-cased names.
    ///   - body: The body.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
