import CCurl

/// Easy handles of finished transfers, kept for the next ones: `curl_easy_reset` is much cheaper
/// than `curl_easy_cleanup` followed by `curl_easy_init`, which a request would otherwise pay.
///
/// Not `Sendable`: owned by the curl thread (``CurlEngine``), like the handles it holds. Only
/// handles of transfers that completed are returned to it; a handle removed mid-transfer is
/// cleaned up instead. A reset keeps no options, callbacks or headers of the previous request
/// (libcurl keeps connections in the multi handle, not here).
final class CurlHandlePool {
    private var idle: [UnsafeMutableRawPointer] = []
    private let capacity: Int

    /// - Parameter capacity: How many idle handles to keep; more are cleaned up.
    init(capacity: Int) {
        self.capacity = capacity
    }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    /// A reset handle from the pool, or a new one; nil when libcurl cannot make one.
    func take() -> UnsafeMutableRawPointer? {
        if let handle = idle.popLast() {
            curl_easy_reset(handle)
            return handle
        }
        return curl_easy_init()
    }

    /// Keeps a handle that has left its multi handle, or cleans it up when the pool is full.
    func give(_ handle: UnsafeMutableRawPointer) {
        if idle.count < capacity {
            idle.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }

    /// How many idle handles the pool holds.
    var count: Int { idle.count }
}
