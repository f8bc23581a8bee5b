import Foundation
import Logging
import TriageCore
import TriageUpstream

/// A whole HTTP response.
struct HTTPResult: Sendable {
    var status: Int
    /// Lower-cased header names.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    func json() throws -> JSONValue { try JSONValue.parse(body) }

    /// `error.code` of an OpenAI-shaped error body, if any.
    var errorCode: String? { (try? json())?["error"]?["code"]?.stringValue }
}

/// A streamed response, read to its end (or until the reader stopped).
struct SSEResult: Sendable {
    var status: Int
    var headers: [String: String]
    /// The raw body.
    var raw: String
    /// The `data:` payloads, in order (including `[DONE]` and error events).
    var data: [String]
    /// Comment lines (`: ...`), without the leading colon and space.
    var comments: [String]

    /// The JSON chunks (every data payload except `[DONE]`).
    var chunks: [JSONValue] { data.filter { $0 != "[DONE]" }.compactMap { try? JSONValue.parse(Array($0.utf8)) } }

    /// The assistant text: every chunk's `choices[0].delta.content` joined.
    var content: String {
        chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
    }

    /// The `key=value` pairs of the comment that carries `x-triage-cost-usd`.
    var trailer: [String: String] {
        guard let line = comments.first(where: { $0.contains("x-triage-cost-usd=") }) else { return [:] }
        var out: [String: String] = [:]
        for pair in line.split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }
}

/// The test's HTTP client: TriageUpstream's libcurl client against the cluster under test.
struct HTTPTestClient: Sendable {
    let curl: CurlHTTPClient
    let timeout: Duration

    init(timeout: Duration = .seconds(20)) {
        var logger = Logger(label: "triage.it.http")
        logger.logLevel = .warning
        curl = CurlHTTPClient(logger: logger)
        self.timeout = timeout
    }

    func shutdown() { curl.shutdown() }

    func get(_ url: String, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await send(UpstreamHTTPRequest(url: url, method: "GET", headers: Self.fields(headers), totalTimeout: timeout))
    }

    func post(_ url: String, body: [UInt8], contentType: String = "application/json", timeout: Duration? = nil,
              headers: [String: String] = [:]) async throws -> HTTPResult {
        try await send(UpstreamHTTPRequest(url: url, method: "POST", headers: [.init(name: "Content-Type", value: contentType)] + Self.fields(headers),
                                           body: body, totalTimeout: timeout ?? self.timeout))
    }

    func post(_ url: String, json: JSONValue, timeout: Duration? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await post(url, body: json.encoded(), timeout: timeout, headers: headers)
    }

    /// Any method (PATCH, DELETE) with an optional JSON body.
    func request(_ method: String, _ url: String, json: JSONValue? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await send(UpstreamHTTPRequest(url: url, method: method, headers: [.init(name: "Content-Type", value: "application/json")] + Self.fields(headers),
                                           body: json?.encoded() ?? [], totalTimeout: timeout))
    }

    static func fields(_ headers: [String: String]) -> [UpstreamHTTPHeader] {
        headers.sorted { $0.key < $1.key }.map { UpstreamHTTPHeader(name: $0.key, value: $0.value) }
    }

    private func send(_ request: UpstreamHTTPRequest) async throws -> HTTPResult {
        let r = try await curl.execute(request)
        return HTTPResult(status: r.status, headers: r.headers, body: r.body)
    }

    /// Posts a body and reads the response as Server-Sent Events.
    /// - Parameter stopWhen: called after each data event with the result so far; return true to
    ///   stop reading (the transfer is then cancelled, closing the connection).
    func stream(_ url: String, json: JSONValue, headers: [String: String] = [:],
                stopWhen: @Sendable (SSEResult) -> Bool = { _ in false }) async throws -> SSEResult {
        let request = UpstreamHTTPRequest(url: url, method: "POST", headers: [.init(name: "Content-Type", value: "application/json")] + Self.fields(headers),
                                          body: json.encoded(), totalTimeout: timeout)
        var result = SSEResult(status: 0, headers: [:], raw: "", data: [], comments: [])
        var pending = ""
        for try await part in curl.stream(request) {
            switch part {
            case .head(let status, let headers):
                result.status = status
                result.headers = headers
            case .body(let bytes):
                let text = String(decoding: bytes, as: UTF8.self)
                result.raw += text
                pending += text
                // Events are separated by a blank line; the server writes "\n" line ends.
                while let range = pending.range(of: "\n\n") {
                    let block = pending[..<range.lowerBound]
                    pending = String(pending[range.upperBound...])
                    var dataLines: [String] = []
                    for line in block.split(separator: "\n") {
                        if line.hasPrefix(":") {
                            result.comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                        } else if line.hasPrefix("data:") {
                            var v = line.dropFirst(5)
                            if v.hasPrefix(" ") { v = v.dropFirst() }
                            dataLines.append(String(v))
                        }
                    }
                    if !dataLines.isEmpty {
                        result.data.append(dataLines.joined(separator: "\n"))
                        if stopWhen(result) { return result }
                    }
                }
            }
        }
        return result
    }
}

/// A chat-completions request body.
func chatBody(_ text: String, model: String = "auto", stream: Bool = false, system: String? = nil) -> JSONValue {
    var messages: [JSONValue] = []
    if let system { messages.append(.object(["role": .string("system"), "content": .string(system)])) }
    messages.append(.object(["role": .string("user"), "content": .string(text)]))
    var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages)]
    if stream { body["stream"] = .bool(true) }
    return .object(body)
}
