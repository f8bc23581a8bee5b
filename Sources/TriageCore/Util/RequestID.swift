import Foundation

/// Request ids: `req_` and 24 hex digits, the time in milliseconds since 1970 (12 digits) and then
/// 48 random bits (12 digits).
///
/// Ids made later sort after earlier ones, to the millisecond and across the processes of a host.
/// The store indexes request ids (`requests` by its key, `ledger` by `request_id`): time-ordered
/// ids go in at the end of those indexes, so a batch of inserts dirties one leaf page per index
/// instead of one random page per insert, and the write-ahead log grows by a page, not a batch's
/// worth. Within one millisecond, two ids collide with odds of about 1 in 2^48 / n² for n ids.
public enum RequestID {
    /// A new id at `now`.
    public static func make(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded())) & 0xFFFF_FFFF_FFFF
        var generator = SystemRandomNumberGenerator()
        let random = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF
        return "req_" + hex(milliseconds, 12) + hex(random, 12)
    }

    private static func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: width - s.count) + s
    }
}
