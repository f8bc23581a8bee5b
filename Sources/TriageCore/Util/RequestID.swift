/// Request ids: `req_` and 24 random hex digits.
public enum RequestID {
    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        let a = g.next() as UInt64
        let b = g.next() as UInt32
        return "req_" + hex(a, 16) + hex(UInt64(b), 8)
    }

    private static func hex(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: width - s.count) + s
    }
}
