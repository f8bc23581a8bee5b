/// Why an upstream HTTP transfer failed. HTTP error statuses (4xx, 5xx) are not errors
/// here: they arrive as a normal response.
public struct UpstreamHTTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for retry and fallback decisions.
    public enum Kind: Sendable, Hashable {
        /// The connection could not be established (refused, DNS failure, connect
        /// timeout); the request was not sent.
        case connect
        /// The total timeout elapsed after the connection was established.
        case timeout
        /// The connection was closed or reset before the response completed
        /// (`CURLE_RECV_ERROR`, `CURLE_GOT_NOTHING`, `CURLE_PARTIAL_FILE`, `CURLE_SEND_ERROR`).
        case reset
        /// The transfer was cancelled by the caller, or the client was shut down.
        case cancelled
        /// The TLS handshake or certificate verification failed.
        case tls
        /// Anything else (bad URL, bad header, internal libcurl error).
        case other
    }

    /// The kind of failure.
    public var kind: Kind
    /// libcurl's description of the failure.
    public var message: String
    /// The `CURLcode` of the failure, or 0 when it did not come from libcurl.
    public var curlCode: Int32
    /// Whether any response bytes (status line, headers or body) arrived before the error.
    public var receivedBytes: Bool

    /// Creates an error.
    /// - Parameters:
    ///   - kind: The kind of failure.
    ///   - message: A description.
    ///   - curlCode: The `CURLcode`, 0 if none.
    ///   - receivedBytes: Whether response bytes arrived before the error.
    public init(kind: Kind, message: String, curlCode: Int32 = 0, receivedBytes: Bool = false) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
        self.receivedBytes = receivedBytes
    }

    /// A one-line summary: kind, curl code, whether bytes arrived, and the message.
    public var description: String {
        "UpstreamHTTPError(\(kind), curl \(curlCode), receivedBytes: \(receivedBytes)): \(message)"
    }
}
