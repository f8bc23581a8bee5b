import CCurl
import Logging
import Synchronization

/// Where a transfer delivers its response.
enum CurlTransferSink: Sendable {
    /// Stream the head and body chunks as they arrive (``CurlHTTPClient/stream(_:)``).
    case stream(AsyncThrowingStream<UpstreamHTTPPart, any Error>.Continuation)
    /// Collect the whole response and resume once (``CurlHTTPClient/execute(_:progress:)``),
    /// telling `progress` on the curl thread when the head and body bytes arrive.
    case collect(CheckedContinuation<Result<UpstreamHTTPResponse, UpstreamHTTPError>, Never>, progress: (any AttemptProgress)?)

    /// Fails a transfer that never reached libcurl.
    func fail(_ error: UpstreamHTTPError) {
        switch self {
        case .stream(let continuation): continuation.finish(throwing: error)
        case .collect(let continuation, _): continuation.resume(returning: .failure(error))
        }
    }
}

/// A request handed to the curl thread.
struct CurlTransferSubmission: Sendable {
    var id: UInt64
    var request: UpstreamHTTPRequest
    var sink: CurlTransferSink
}

/// One transfer: an easy handle and the response being assembled.
///
/// Not `Sendable`: it is created, used and destroyed on the curl thread only. libcurl calls
/// the callbacks below from `curl_multi_perform` on that same thread, with the pointer that
/// ``start(in:)`` retained through `Unmanaged`; ``cleanUp()`` releases it exactly once,
/// after the easy handle has left the multi handle and can call back no more.
final class CurlTransfer {
    /// How many transfers exist: lets tests check that every retain was released.
    static let liveCount = Atomic<Int>(0)

    let id: UInt64
    private let request: UpstreamHTTPRequest
    private let sink: CurlTransferSink
    private let logger: Logger

    private var easy: UnsafeMutableRawPointer?
    /// Where the easy handle goes back after a completed transfer.
    private var pool: CurlHandlePool?
    /// The transfer ran to its end, so its handle can serve another one.
    private var reusable = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var retainedSelf: Unmanaged<CurlTransfer>?

    /// Any response byte (status line, header or body) has arrived.
    private var receivedBytes = false
    /// The connection was up and libcurl was about to send the request.
    private var requestStarted = false
    /// The consumer of a stream went away; the write callback aborted the transfer.
    private var consumerGone = false
    private var status = 0
    private var headers: [String: String] = [:]
    private var headDelivered = false
    private var collected: [UInt8] = []
    private var finished = false

    init(_ submission: CurlTransferSubmission, logger: Logger) {
        self.id = submission.id
        self.request = submission.request
        self.sink = submission.sink
        self.logger = logger
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        Self.liveCount.add(1, ordering: .relaxed)
    }

    deinit {
        errorBuffer.deallocate()
        Self.liveCount.subtract(1, ordering: .relaxed)
    }

    // MARK: Lifecycle (curl thread)

    /// Takes an easy handle from `pool`, configures it and adds it to `multi`. On failure the
    /// transfer is finished with the error and cleaned up.
    /// - Returns: Whether the transfer is now in `multi`.
    func start(in multi: UnsafeMutableRawPointer, pool: CurlHandlePool) -> Bool {
        self.pool = pool
        guard let easy = pool.take() else {
            finish(with: UpstreamHTTPError(kind: .other, message: "curl_easy_init failed"))
            return false
        }
        self.easy = easy
        let unmanaged = Unmanaged.passRetained(self)
        retainedSelf = unmanaged
        if let error = configure(easy, context: unmanaged.toOpaque()) {
            finish(with: error)
            cleanUp(multi: nil)
            return false
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            let message = String(cString: curl_multi_strerror(added))
            finish(with: UpstreamHTTPError(kind: .other, message: message))
            cleanUp(multi: nil)
            return false
        }
        logger.trace("upstream transfer started", metadata: ["triage.upstream.transfer": "\(id)"])
        return true
    }

    /// Finishes a transfer that libcurl reported done with `code`, and cleans it up.
    func complete(code: CURLcode, multi: UnsafeMutableRawPointer) {
        reusable = code == CURLE_OK
        if code == CURLE_OK, !finished {
            if !headDelivered { deliverHead(status: responseCode()) }
            switch sink {
            case .stream(let continuation):
                continuation.finish()
            case .collect(let continuation, _):
                continuation.resume(returning: .success(
                    UpstreamHTTPResponse(status: status, headers: headers, body: collected)))
            }
            finished = true
            logger.debug("upstream transfer done", metadata: [
                "triage.upstream.transfer": "\(id)", "triage.upstream.status": "\(status)",
            ])
        } else {
            let error = makeError(code)
            finish(with: error)
            logger.debug("upstream transfer failed", metadata: [
                "triage.upstream.transfer": "\(id)", "triage.upstream.error": "\(error)",
            ])
        }
        cleanUp(multi: multi)
    }

    /// Aborts a transfer still in `multi` (cancelled or shutting down) and cleans it up.
    /// Removing the easy handle mid-transfer makes libcurl close its connection.
    func abort(multi: UnsafeMutableRawPointer, message: String) {
        finish(with: UpstreamHTTPError(kind: .cancelled, message: message, receivedBytes: receivedBytes))
        cleanUp(multi: multi)
        logger.debug("upstream transfer cancelled", metadata: ["triage.upstream.transfer": "\(id)"])
    }

    private func finish(with error: UpstreamHTTPError) {
        guard !finished else { return }
        finished = true
        sink.fail(error)
    }

    /// Removes the easy handle from `multi` (when it was added) and returns it to the pool
    /// after a completed transfer (cleans it up otherwise), frees the C resources and releases
    /// the retain held for libcurl's callbacks. Safe to call more than once.
    private func cleanUp(multi: UnsafeMutableRawPointer?) {
        if let easy {
            if let multi { curl_multi_remove_handle(multi, easy) }
            if reusable, let pool { pool.give(easy) } else { curl_easy_cleanup(easy) }
            self.easy = nil
        }
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        retainedSelf?.release()
        retainedSelf = nil
    }

    // MARK: Configuration

    private func configure(_ easy: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer) -> UpstreamHTTPError? {
        var failure = CURLE_OK
        func check(_ code: CURLcode) {
            if code != CURLE_OK && failure == CURLE_OK { failure = code }
        }
        check(triage_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(request.url.withCString { triage_curl_setopt_string(easy, CURLOPT_URL, $0) })
        // Only HTTP(S); ignore the result on libcurl older than 7.85.
        _ = triage_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        check(triage_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(triage_curl_setopt_long(easy, CURLOPT_TCP_NODELAY, 1))
        check(triage_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        check(triage_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
        check(triage_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds))
        check(triage_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.totalTimeout?.curlMilliseconds ?? 0))

        switch request.method {
        case "GET" where request.body.isEmpty:
            check(triage_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "HEAD":
            check(triage_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        default:
            if request.method == "POST" || !request.body.isEmpty {
                check(triage_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
                if request.body.isEmpty {
                    check(triage_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""))
                } else {
                    check(request.body.withUnsafeBytes {
                        triage_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                    })
                }
            }
            if request.method != "POST" {
                check(request.method.withCString { triage_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, $0) })
            }
        }

        var sawExpect = false
        for header in request.headers {
            let invalid = header.name.isEmpty
                || header.name.utf8.contains { $0 == UInt8(ascii: ":") || $0 == 13 || $0 == 10 || $0 == 32 }
                || header.value.utf8.contains { $0 == 13 || $0 == 10 }
            if invalid {
                return UpstreamHTTPError(kind: .other, message: "invalid header name or value: \(header.name)")
            }
            if header.name.lowercased() == "expect" { sawExpect = true }
            // "Name:" would remove a header in libcurl; "Name;" sends it empty.
            appendHeaderLine(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        if !sawExpect { appendHeaderLine("Expect:") }  // no 100-continue round trip
        if let headerList { check(triage_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)) }

        check(triage_curl_setopt_pointer(easy, CURLOPT_PRIVATE, context))
        check(triage_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        check(triage_curl_setopt_data_cb(easy, CURLOPT_WRITEFUNCTION) { pointer, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.didReceiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
        })
        check(triage_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        check(triage_curl_setopt_data_cb(easy, CURLOPT_HEADERFUNCTION) { pointer, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.didReceiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
        })
        // Tells a connect-phase timeout (request never sent) from a later one. Optional.
        if triage_curl_setopt_pointer(easy, CURLOPT_PREREQDATA, context) == CURLE_OK {
            _ = triage_curl_setopt_prereq_cb(easy) { context, _, _, _, _ in
                if let context {
                    Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().requestStarted = true
                }
                return 0  // CURL_PREREQFUNC_OK
            }
        }

        guard failure == CURLE_OK else { return makeError(failure) }
        return nil
    }

    private func appendHeaderLine(_ line: String) {
        headerList = line.withCString { curl_slist_append(headerList, $0) }
    }

    // MARK: Callbacks (curl thread, inside curl_multi_perform)

    /// Header callback: one line per call, including each response's status line and the
    /// blank line that ends its header block. Works on the bytes (ASCII names, no `Character`
    /// processing): it runs for every header of every response.
    private func didReceiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        receivedBytes = true
        if headDelivered || consumerGone { return consumerGone ? 0 : bytes.count }  // trailers after the head
        var end = bytes.count
        while end > 0, bytes[end - 1] == 13 || bytes[end - 1] == 10 { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[..<end])
        if line.starts(with: "HTTP/".utf8) {
            status = Self.statusCode(ofStatusLine: line)
            headers = [:]
        } else if line.isEmpty {
            if status == 0 { status = responseCode() }
            if !(100..<200).contains(status) { deliverHead(status: status) }
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(unsafeUninitializedCapacity: colon) { buffer in
                for i in 0..<colon {
                    let byte = line[i]
                    buffer[i] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                }
                return colon
            }
            var start = colon + 1, stop = line.count
            while start < stop, line[start] == 32 || line[start] == 9 { start += 1 }
            while stop > start, line[stop - 1] == 32 || line[stop - 1] == 9 { stop -= 1 }
            let value = String(decoding: line[start..<stop], as: UTF8.self)
            if let existing = headers[name] {
                headers[name] = existing + ", " + value
            } else {
                headers[name] = value
            }
        }
        return consumerGone ? 0 : bytes.count
    }

    /// The status code of a status line (`HTTP/1.1 200 OK`): the digits after the first space, 0
    /// when there are none.
    static func statusCode(ofStatusLine line: UnsafeRawBufferPointer) -> Int {
        guard var i = line.firstIndex(of: 32) else { return 0 }
        while i < line.count, line[i] == 32 { i += 1 }
        var code = 0, digits = 0
        while i < line.count, digits < 3, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
            code = code * 10 + Int(line[i] - UInt8(ascii: "0"))
            i += 1
            digits += 1
        }
        let endsThere = i == line.count || line[i] < UInt8(ascii: "0") || line[i] > UInt8(ascii: "9")
        return digits == 3 && endsThere ? code : 0
    }

    /// Write callback: one copy of the chunk, no per-byte work.
    private func didReceiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        receivedBytes = true
        if !headDelivered { deliverHead(status: status == 0 ? responseCode() : status) }
        guard !bytes.isEmpty else { return 0 }
        switch sink {
        case .stream(let continuation):
            if case .terminated = continuation.yield(.body(Array(bytes))) {
                consumerGone = true
                return 0  // aborts the transfer with CURLE_WRITE_ERROR
            }
        case .collect(_, let progress):
            collected.append(contentsOf: bytes)
            progress?.bytesReceived()
        }
        return bytes.count
    }

    private func deliverHead(status: Int) {
        headDelivered = true
        self.status = status
        switch sink {
        case .stream(let continuation):
            if case .terminated = continuation.yield(.head(status: status, headers: headers)) { consumerGone = true }
        case .collect(_, let progress):
            progress?.responseStarted(headers: headers)
        }
    }

    // MARK: Errors

    private func responseCode() -> Int {
        guard let easy else { return 0 }
        var code = 0
        _ = triage_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func makeError(_ code: CURLcode) -> UpstreamHTTPError {
        var message = String(cString: errorBuffer)
        if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
        let kind: UpstreamHTTPError.Kind
        if consumerGone {
            kind = .cancelled
        } else {
            kind = UpstreamHTTPError.Kind(code, requestStarted: requestStarted)
        }
        return UpstreamHTTPError(kind: kind, message: message, curlCode: Int32(bitPattern: code.rawValue),
                                 receivedBytes: receivedBytes)
    }
}

extension UpstreamHTTPError.Kind {
    /// Classifies a libcurl result.
    /// - Parameters:
    ///   - code: The failed transfer's result.
    ///   - requestStarted: Whether the connection was up and the request about to be sent;
    ///     a timeout before that is a connect failure.
    init(_ code: CURLcode, requestStarted: Bool) {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .connect
        case CURLE_OPERATION_TIMEDOUT:
            self = requestStarted ? .timeout : .connect
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SEND_ERROR:
            self = .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            self = .tls
        case CURLE_ABORTED_BY_CALLBACK:
            self = .cancelled
        default:
            self = .other
        }
    }
}
