/// An amount of US dollars in whole nano-dollars (1e-9 USD), so sums stay exact.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanoUSD: Int64

    public init(nanoUSD: Int64) { self.nanoUSD = nanoUSD }

    /// From dollars, rounded to the nearest nano-dollar.
    public init(usd: Double) { self.nanoUSD = Int64((usd * 1e9).rounded()) }

    public static let zero = Money(nanoUSD: 0)

    public var usd: Double { Double(nanoUSD) / 1e9 }

    /// Dollars with nine decimals, as in the `x-triage-cost-usd` header (`0.000012300`).
    public var description: String {
        let sign = nanoUSD < 0 ? "-" : ""
        let v = nanoUSD.magnitude
        let whole = v / 1_000_000_000
        let frac = String(v % 1_000_000_000)
        return "\(sign)\(whole).\(String(repeating: "0", count: 9 - frac.count))\(frac)"
    }

    /// Parses the header form back (`"0.000012300"`).
    public init?(decimalString s: String) {
        let neg = s.hasPrefix("-")
        let body = neg ? s.dropFirst() : Substring(s)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        // Only ASCII digits after the one optional sign, and at least one of them.
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }),
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        var frac: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard f.count <= 9, let fv = Int64(f.isEmpty ? "0" : String(f)) else { return nil }
            frac = fv * Int64(Money.pow10(9 - f.count))
        }
        // Out of range is nil, not a trap.
        let (scaled, o1) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        let (n, o2) = scaled.addingReportingOverflow(frac)
        guard !o1, !o2 else { return nil }
        self.nanoUSD = neg ? -n : n
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    public static func < (a: Money, b: Money) -> Bool { a.nanoUSD < b.nanoUSD }
    public static func + (a: Money, b: Money) -> Money { Money(nanoUSD: a.nanoUSD + b.nanoUSD) }
    public static func += (a: inout Money, b: Money) { a.nanoUSD += b.nanoUSD }
    public static func - (a: Money, b: Money) -> Money { Money(nanoUSD: a.nanoUSD - b.nanoUSD) }
}
