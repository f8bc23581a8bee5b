import CCurl

/// libcurl's process-wide initialisation. Swift runs a global's initialiser lazily, exactly
/// once and thread-safely, so reading this from every engine gives one `curl_global_init`
/// per process, before the first handle is created.
let curlGlobalInitialization: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

extension Duration {
    /// The duration in whole milliseconds for libcurl's `*_MS` options: at least 1 when the
    /// duration is positive (0 means "no limit" to libcurl), clamped to avoid overflow.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, self > .zero else { return 0 }
        let clamped = min(seconds, Int64(Int32.max))
        let milliseconds = Int(clamped) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        return max(milliseconds, 1)
    }
}
