/// One header line of an upstream request.
public struct UpstreamHTTPHeader: Sendable, Hashable {
    /// The header name, e.g. `Authorization`.
    public var name: String
    /// The header value. An empty value is sent as an empty header.
    public var value: String

    /// Creates a header.
    /// - Parameters:
    ///   - name: The header name; must not contain `:`, CR or LF.
    ///   - value: The header value; must not contain CR or LF.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request to an upstream provider, executed by ``CurlHTTPClient``.
public struct UpstreamHTTPRequest: Sendable {
    /// The absolute URL, e.g. `https://api.openai.com/v1/chat/completions`.
    public var url: String
    /// The method: `"GET"` or `"POST"`; any other token is sent as a custom method.
    public var method: String
    /// Header lines, sent in this order. libcurl adds `Host`, `Accept: */*` and
    /// `Content-Length` itself; `Expect: 100-continue` is suppressed unless set here.
    public var headers: [UpstreamHTTPHeader]
    /// The request body (sent for any method when non-empty, and always for `POST`).
    public var body: [UInt8]
    /// The longest time to wait for the connection (TCP and TLS) to be established.
    public var connectTimeout: Duration
    /// The longest time for the whole transfer, or `nil` for no limit. Idle and
    /// low-speed detection is left to the caller.
    public var totalTimeout: Duration?

    /// Creates a request.
    /// - Parameters:
    ///   - url: The absolute URL.
    ///   - method: The method, `"POST"` by default.
    ///   - headers: Header lines, none by default.
    ///   - body: The body, empty by default.
    ///   - connectTimeout: The connect timeout, 10 seconds by default.
    ///   - totalTimeout: The timeout of the whole transfer, none by default.
    public init(
        url: String,
        method: String = "POST",
        headers: [UpstreamHTTPHeader] = [],
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}
